resource "fake_bucket" "a" {
  nmae = "a"
}
resource "fake_job" "b" {
  epochs = "x"
}
resource "fake_thing" "c" {
}
