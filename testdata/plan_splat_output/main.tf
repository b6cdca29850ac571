resource "fake_bucket" "shard" {
  count = 2
  name  = "s${count.index}"
}
output "names" {
  value = fake_bucket.shard[*].name
}
