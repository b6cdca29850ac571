resource "fake_bucket" "a" {
  count = -1
  name  = "a"
}
