provider "fake" {
  regoin = "x"
}
resource "fake_bucket" "data" {
  name = "data"
}
