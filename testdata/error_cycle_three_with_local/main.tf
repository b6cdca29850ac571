locals {
  name = fake_bucket.c.name
}
resource "fake_bucket" "a" {
  name = local.name
}
resource "fake_bucket" "c" {
  name = fake_job.j.id
}
resource "fake_job" "j" {
  model = fake_bucket.a.arn
}
