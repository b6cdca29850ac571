locals {
  names = ["a", "b"]
}
output "upper" {
  value = [for name in local.names : upper(name)]
}
output "secret" {
  value     = "x"
  sensitive = true
}
