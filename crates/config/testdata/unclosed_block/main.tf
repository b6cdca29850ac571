locals {
  name = "demo"

output "name" {
  value = local.name
}
