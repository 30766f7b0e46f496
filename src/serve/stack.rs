//! The stack size of the workbench's own threads.

/// Stack of the threads that analyse: as the main thread's (polars'
/// recursive plans outgrow a spawned thread's 2 MiB in debug builds).
pub const THREAD_STACK: usize = 32 << 20;
