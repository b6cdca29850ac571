locals {
  names = { a = "x", b = sensitive("y") }
}

output "names" {
  value = [for key, name in local.names : upper(name)]
}
