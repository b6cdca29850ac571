resource "fake_bucket" "data" {
  name = "training-data"
  tags = { team = "ml" }
}
