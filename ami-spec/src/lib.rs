//! Typed AMI events and actions generated from the text Asterisk prints for `manager show`.
