resource "fake_buckett" "data" {
  name = "data"
}
