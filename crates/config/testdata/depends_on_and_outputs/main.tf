resource "terraform_data" "first" {
  input = "a"
}

resource "terraform_data" "second" {
  input      = terraform_data.first.output
  depends_on = [terraform_data.first, "terraform_data.quoted", terraform_data.missing]
}

output "no_value" {
  description = "forgot the value"
}

output "sensitive" {
  value     = terraform_data.second.output
  sensitive = "yes"
}
