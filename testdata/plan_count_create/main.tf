variable "n" {
  type    = number
  default = 3
}
resource "fake_bucket" "shard" {
  count = var.n
  name  = "shard-${count.index}"
}
