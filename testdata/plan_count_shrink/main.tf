resource "fake_bucket" "shard" {
  count = 1
  name  = "shard-${count.index}"
}
