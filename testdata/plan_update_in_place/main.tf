resource "fake_bucket" "data" {
  name = "data"
  tags = { team = "research" }
}
