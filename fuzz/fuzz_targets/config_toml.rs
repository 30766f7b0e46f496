//! Arbitrary text as jiucuo.toml: parsed or refused in Chinese, never a panic.
#![no_main]

use jiucuo::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = Config::from_toml(&text, std::path::Path::new("jiucuo.toml")) {
        assert!(e.to_string().contains("jiucuo.toml"));
    }
});
