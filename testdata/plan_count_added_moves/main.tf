resource "fake_bucket" "data" {
  count = 2
  name  = count.index == 0 ? "data" : "data-${count.index}"
}
