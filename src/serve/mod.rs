//! `jiucuo serve`: the workbench, a local web page for the quarterly cycle
//! (load, overview, reports, check, settings) for staff who do not use a
//! command line. It listens on 127.0.0.1 only; every request needs the
//! per-start token (in the address first, then a cookie) and the bound
//! Host; every POST must come from the page itself (Origin). Uploads go
//! into a private folder removed at shutdown. All page assets are in the
//! binary: nothing is fetched from any other host.

mod guard;
mod job;
mod overview;
mod pages;
mod settings;
mod stack;
mod start;
mod state;

pub use start::run;
