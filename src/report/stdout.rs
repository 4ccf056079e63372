//! A stdout that survives its reader going away. `scimspec run … | head -3` closes the pipe
//! while the run goes on; `println!` panics on the first failed write, which would end the run
//! before its cleanup, and every writer would have to tell EPIPE apart. So, when stdout is a pipe
//! or a file, fd 1 is pointed at a pipe of our own, and a thread copies it to the real stdout
//! until that fails, then drops the rest: printing stops, the work (and the cleanup) carries on.

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct Guard {
    #[cfg(unix)]
    saved: std::os::fd::OwnedFd,
    thread: Option<std::thread::JoinHandle<()>>,
    closed: Arc<AtomicBool>,
}

impl Guard {
    /// Whether the real stdout has gone away.
    pub fn closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Flushes, gives fd 1 back, and waits until everything written reached the real stdout
    /// (or was dropped because it is gone).
    pub fn finish(mut self) {
        self.restore();
    }

    fn restore(&mut self) {
        let _ = std::io::stdout().flush();
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: dup2 on two descriptors this process owns; fd 1 is replaced atomically,
            // which closes our pipe's write end so the copying thread sees its end.
            unsafe {
                libc::dup2(self.saved.as_raw_fd(), 1);
            }
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.restore();
        }
    }
}

/// Installs the guard when stdout is not a terminal (a terminal that goes away is a SIGHUP,
/// handled as an interrupt). `None` where it is not needed or not possible.
pub fn guard() -> Option<Guard> {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        return None;
    }
    install()
}

#[cfg(unix)]
fn install() -> Option<Guard> {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    let _ = std::io::stdout().flush();
    // SAFETY: dup of fd 1 returns a new descriptor we then own (or -1).
    let saved = unsafe { libc::dup(1) };
    if saved < 0 {
        return None;
    }
    // SAFETY: `saved` is a fresh descriptor owned by nobody else.
    let saved = unsafe { OwnedFd::from_raw_fd(saved) };
    let real = saved.try_clone().ok()?;
    let (mut reader, writer) = std::io::pipe().ok()?;
    // SAFETY: both descriptors are open and ours; fd 1 now feeds the pipe.
    if unsafe { libc::dup2(writer.as_raw_fd(), 1) } < 0 {
        return None;
    }
    drop(writer);
    let closed = Arc::new(AtomicBool::new(false));
    let flag = closed.clone();
    let thread = std::thread::spawn(move || {
        let mut real = std::fs::File::from(real);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if !flag.load(Ordering::SeqCst)
                        && (real.write_all(&buf[..n]).is_err() || real.flush().is_err())
                    {
                        flag.store(true, Ordering::SeqCst);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
    });
    Some(Guard {
        saved,
        thread: Some(thread),
        closed,
    })
}

#[cfg(not(unix))]
fn install() -> Option<Guard> {
    None
}
