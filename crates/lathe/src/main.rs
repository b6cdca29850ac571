//! The lathe command line: model customization as code.

fn main() {}
