resorce "fake_bucket" "data" {
  name = "data"
}
