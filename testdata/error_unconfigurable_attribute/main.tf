resource "fake_bucket" "data" {
  name = "data"
  arn  = "arn:x"
}
