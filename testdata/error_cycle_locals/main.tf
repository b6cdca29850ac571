locals {
  a = local.b
  b = upper(local.a)
}
output "a" {
  value = local.a
}
