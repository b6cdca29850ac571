resource "fake_bucket" "data" {
  count    = 1
  for_each = toset(["a"])
  name     = "x"
}
