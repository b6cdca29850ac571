resource "fake_bucket" "a" {
  for_each = [1, 2]
  name     = "a"
}
