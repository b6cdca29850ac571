variable "region" {
  default = "eu-west-1"
}

output "region" {
  value = "again"
}
