//! The lathe provider: client-side resources such as lathe_dataset.
