fn main() {
    // Start-up decodes every built-in suite into many small values; glibc grows its heaps a
    // page range at a time (an mprotect or brk call each), which was a fifth of `scimspec list`.
    // Reserving in larger steps touches no more memory: peak RSS is unchanged.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
    }
    std::process::exit(scimspec::cli::main());
}
