resource "fake_bucket" "data" {
  name   = "data"
  secret = "hunter2"
}
