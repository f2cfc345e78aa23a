//! A freestanding x86_64 Linux program that decodes an AMI stream with ami-proto: no `std`,
//! no C runtime (linked with `-nostartfiles`), its own panic handler, exit by system call.
//! Its exit status is the number of items decoded, which `.ci/run` checks.
//!
//! If any crate it links used `std`, the build would fail: `std` brings its own panic
//! handler, and a program may have only one.
#![no_std]
#![no_main]

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
compile_error!("the entry point and exit are written for x86_64 Linux");

#[cfg(feature = "alloc")]
extern crate alloc;

use ami_proto::{Config, Decoded, Decoder, Item};

/// A banner, a response and an event, the last in two reads.
const WIRE: &[u8] = b"Asterisk Call Manager/2.10.6\r\n\
    Response: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n\
    Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n";

/// Decodes [`WIRE`] in reads of 50 bytes; returns the number of items, or 0 on any error.
fn decode_items(decoder: &mut Decoder<'_>) -> usize {
    let mut items = 0;
    let (mut start, mut end) = (0, 0);
    while end < WIRE.len() {
        end = (end + 50).min(WIRE.len());
        loop {
            match decoder.decode(&WIRE[start..end]) {
                Decoded::Item { item, consumed } => {
                    match item {
                        Item::Banner(_) | Item::Text(_) => {}
                        Item::Message(m) if m.get("Status").is_some() => {}
                        Item::Message(m) if m.get("Message").is_some() => {}
                        Item::Message(_) => return 0,
                        _ => return 0,
                    }
                    items += 1;
                    start += consumed;
                }
                Decoded::Error { .. } => return 0,
                Decoded::NeedMore { consumed } => {
                    start += consumed;
                    break;
                }
            }
        }
    }
    items
}

/// Header slots lent to the decoder, and with `alloc` also an owned decoder.
fn run() -> usize {
    let mut slots = [ami_proto::Span::default(); 8];
    let lent = decode_items(&mut Decoder::with_storage(Config::default(), &mut slots));
    #[cfg(feature = "alloc")]
    let owned = decode_items(&mut Decoder::new());
    #[cfg(not(feature = "alloc"))]
    let owned = lent;
    if lent == owned {
        lent
    } else {
        0
    }
}

/// The entry point the kernel jumps to: no return address on the stack, which is 16-byte
/// aligned here; calls [`main`] as a normal function.
#[unsafe(naked)]
#[no_mangle]
extern "C" fn _start() -> ! {
    core::arch::naked_asm!("xor ebp, ebp", "call {main}", "ud2", main = sym main)
}

extern "C" fn main() -> ! {
    exit(run() as i32)
}

/// The `exit_group` system call.
fn exit(status: i32) -> ! {
    // SAFETY: exit_group (231) takes one integer argument and does not return.
    unsafe {
        core::arch::asm!("syscall", in("rax") 231, in("rdi") status, options(noreturn, nostack));
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    exit(101)
}

/// The unwinding personality that the prebuilt `core` refers to (it is built to unwind);
/// with `panic = "abort"` nothing unwinds, so nothing calls it.
#[no_mangle]
extern "C" fn rust_eh_personality() {}

#[cfg(feature = "alloc")]
mod allocator {
    //! A bump allocator over a static array: enough for a decoder's header slots.
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;

    const SIZE: usize = 64 * 1024;

    struct Bump {
        memory: UnsafeCell<[u8; SIZE]>,
        used: UnsafeCell<usize>,
    }

    // SAFETY: the program has one thread.
    unsafe impl Sync for Bump {}

    // SAFETY: every block handed out is inside `memory`, aligned as asked, and never handed
    // out again (nothing is freed).
    unsafe impl GlobalAlloc for Bump {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: one thread, and no reference to `used` outlives this call.
            let used = unsafe { &mut *self.used.get() };
            let base = self.memory.get().cast::<u8>();
            let start = (base as usize + *used).next_multiple_of(layout.align()) - base as usize;
            match start.checked_add(layout.size()) {
                Some(end) if end <= SIZE => {
                    *used = end;
                    // SAFETY: `start..end` is inside `memory`.
                    unsafe { base.add(start) }
                }
                _ => core::ptr::null_mut(),
            }
        }

        unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
    }

    #[global_allocator]
    static ALLOCATOR: Bump = Bump {
        memory: UnsafeCell::new([0; SIZE]),
        used: UnsafeCell::new(0),
    };
}
