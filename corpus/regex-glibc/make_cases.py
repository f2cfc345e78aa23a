#!/usr/bin/env python3
"""Writes cases.tsv: POSIX extended patterns run through this machine's glibc
(regcomp(REG_EXTENDED | REG_NOSUB), regexec) in the C locale, as Asterisk runs them.

Each line: pattern (hex) TAB haystack (hex) TAB result, where result is M (match),
- (no match) or E<n> (regcomp failed with error code n; haystack empty).
Deterministic: the same glibc gives the same file.

    python3 corpus/regex-glibc/make_cases.py > corpus/regex-glibc/cases.tsv
"""
import ctypes
import random
import sys

libc = ctypes.CDLL("libc.so.6")
libc.setlocale.restype = ctypes.c_char_p
LC_ALL = 6
assert libc.setlocale(LC_ALL, b"C") == b"C"
libc.gnu_get_libc_version.restype = ctypes.c_char_p
REG_EXTENDED, REG_NOSUB = 1, 8


def compile_(pattern):
    buf = ctypes.create_string_buffer(256)  # sizeof(regex_t) is 64 on x86_64
    code = libc.regcomp(buf, pattern, REG_EXTENDED | REG_NOSUB)
    return code, buf


def run(pattern, haystacks):
    code, buf = compile_(pattern)
    if code:
        return [(b"", "E%d" % code)]
    out = []
    for hay in haystacks:
        out.append((hay, "M" if libc.regexec(buf, hay, 0, None, 0) == 0 else "-"))
    libc.regfree(buf)
    return out


# Patterns a reader of the engine would check by hand.
FIXED = [
    b"Event: Newchannel", b"Event: (Newchannel", b"Event: (Newchannel|Hangup)",
    b"!Channel: .*;2", b"Channel: .*;2", b"[[:space:]]Channel: Local/100@", b"^Event: Dial",
    b"Event: Hangup$", b"Event: Newchannel.*Channel: Local/400@", b"event: newchannel",
    b"", b"()", b"a**", b"a+?", b"a)", b"}", b"a{,2}", b"a{0}b", b"a{2}{3}", b"[]]", b"[^]]",
    b"[\\]]", b"[--/]", b"[a-[.z.]]", b"[[.-.]]", b"[[=a=]]", b"\\{", b"(|a)", b"a||b",
    b"a{1", b"a{", b"{", b"^*", b"(*a)", b"a|*b", b"a$*", b"\\<*", b"[a-z-9]",
    b"[[:alpha:]-z]", b"[z-a]", b"\\1", b"(a\\1)", b"a\\", b"a{32768}", b"[[=ab=]]",
    b"[[.hyphen.]]", b"[[:alpha:]", b"[]", b"[^]", b"[", b"[^", b"[[:foo:]]", b"a{1,2,3}",
    b"a{}", b"a{2,1}", b"(a)\\1", b"(a)\\1(", b"\\<Hangup\\>", b"\\w+@", b"\\bx", b"\\Bx",
    b"\\`E", b"x\\'", b"\\s", b"\\S", b"\\W", b"\\n", b"[\\n]", b"a.b", b"[^x]", b"\\.",
    b"[[:digit:]]{3}", b"[[:upper:]][[:lower:]]", b"[[:punct:]]", b"[[:cntrl:]]",
    b"[[:xdigit:]]+", b"[[:blank:]]", b"[[:graph:]]", b"[[:print:]]", b"[[:alnum:]_]",
    b"^$", b"$^", b"a^b", b"^a|b$", b"(^a)", b"(a$)", b"x{0,0}", b"x{1,}", b"(ab){2,3}c",
    b"[\x80-\xff]", b"\xe5", b".", b"\\\\", b"[a\\]]", b"a{ 1}", b"a{1 }", b"a{1,x}",
    b"$.", b"a$.", b"a$.b", b"a$[[:space:]]b", b"a.^b", b"a[^x]^b", b"^b", b"a$", b"$^", b"^$",
    b"(a$|b).", b"(a|b$)c", b"a$b*", b"a$.*", b".$", b"^.", b"x$|b", b"(^a)|b", b"a(.^)*b",
    b"\\`a", b"a\\'", b"a\\'.", b".\\`a", b"(.$)+", b"($.)+a", b"$*",
    b"\\(", b"\\)", b"\\|", b"\\+", b"\\?", b"\\*", b"\\[", b"\\]", b"\\}", b"\\^", b"\\$",
]

ALPHABET = b"ab^$.*+?{}()[]|\\-,:=019!;"
HAY_ALPHABET = b"ab\n\r-{}[]()|\\ x:;9_A"


def random_pattern(rng):
    n = rng.randint(1, 10)
    return bytes(rng.choice(ALPHABET) for _ in range(n))


def structured(rng, depth=0):
    """A mostly valid pattern from a small grammar."""
    choice = rng.randint(0, 11 if depth < 3 else 5)
    if choice <= 2:
        return bytes([rng.choice(b"abx:-;")])
    if choice == 3:
        return b"."
    if choice == 4:
        members = rng.choice([b"ab", b"a-c", b"^a", b"[:space:]", b"[:alpha:]0-9", b"]x", b"^]-", b"\\", b"x-"])
        return b"[" + members + b"]"
    if choice == 5:
        return rng.choice([b"^", b"$", b"\\<", b"\\>", b"\\b", b"\\w", b"\\s"])
    if choice <= 7:
        return structured(rng, depth + 1) + structured(rng, depth + 1)
    if choice == 8:
        return b"(" + structured(rng, depth + 1) + b")"
    if choice == 9:
        return structured(rng, depth + 1) + b"|" + structured(rng, depth + 1)
    atom = b"(" + structured(rng, depth + 1) + b")"
    return atom + rng.choice([b"*", b"+", b"?", b"{2}", b"{1,3}", b"{,2}", b"{2,}", b"{0}"])


def anchored(rng, depth=0):
    """A pattern heavy in anchors inside repeated groups, where glibc's copies of a group
    leave some anchors without effect."""
    choice = rng.randint(0, 9 if depth < 2 else 4)
    if choice <= 1:
        return bytes([rng.choice(b"ab\n")])
    if choice == 2:
        return b"."
    if choice == 3:
        return rng.choice([b"^", b"$", b"\\<", b"\\>", b"\\b", b"\\B", b"\\`", b"\\'"])
    if choice == 4:
        return rng.choice([b"[^a]", b"()"])
    if choice <= 6:
        return anchored(rng, depth + 1) + anchored(rng, depth + 1)
    if choice == 7:
        return b"(" + anchored(rng, depth + 1) + b"|" + anchored(rng, depth + 1) + b")"
    return b"(" + anchored(rng, depth + 1) + b")" + rng.choice(
        [b"*", b"+", b"?", b"{2}", b"{0,2}", b"{2,3}", b"{1,}", b"{0,3}", b"+*", b"{2}?"])


def random_haystacks(rng, count):
    return [bytes(rng.choice(HAY_ALPHABET) for _ in range(rng.randint(0, 12))) for _ in range(count)]


def main():
    rng = random.Random(17)
    newlines = [b"a\nb", b"a\n", b"\na", b"a\r\nb", b"\n", b"ab", b"a", b"b\na", b"x\nb", b"a\n\nb"]
    events = newlines + [
        b"Event: Newchannel\r\nPrivilege: call,all\r\nChannel: Local/400@test-00000004;1\r\nExten: 100\r\n\r\n",
        b"Event: Hangup\r\nPrivilege: call,all\r\nChannel: Local/100@test-00000001;2\r\n\r\n",
        b"Event: DialBegin\r\nPrivilege: call,all\r\nDestChannel: Local/100@x;1\r\n\r\n",
        b"Event: UserEvent\r\nNote: Event: Newchannel\r\nchannel: lower\r\n\r\n",
    ]
    print("# glibc %s, C locale: pattern(hex) haystack(hex) result" % libc.gnu_get_libc_version().decode())
    seen = set()
    jobs = [(p, events + random_haystacks(rng, 6)) for p in FIXED]
    jobs += [(random_pattern(rng), random_haystacks(rng, 8)) for _ in range(3000)]
    jobs += [(structured(rng), random_haystacks(rng, 12)) for _ in range(1500)]
    anchor_haystacks = [b"a\nb", b"\na", b"ab", b"a\n\nb", b"ba\n", b"\n", b"", b"aa b", b"a b\na"]
    jobs += [(anchored(rng), anchor_haystacks) for _ in range(2500)]
    for pattern, haystacks in jobs:
        if pattern in seen:
            continue
        seen.add(pattern)
        for hay, result in run(pattern, haystacks):
            print("%s\t%s\t%s" % (pattern.hex(), hay.hex(), result))


if __name__ == "__main__":
    main()
