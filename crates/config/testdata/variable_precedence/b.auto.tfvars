from_auto = "auto-b"
