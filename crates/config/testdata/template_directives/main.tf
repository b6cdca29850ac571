variable "names" {
  default = ["alpha", "beta", "gamma"]
}

locals {
  greeting = "Hello, %{ if length(var.names) > 2 }everyone%{ else }friends%{ endif }!"
  list     = <<-EOT
    %{ for index, name in var.names ~}
    ${index}: ${upper(name)}
    %{ endfor ~}
  EOT
  inline   = "[%{ for n in var.names }${n},%{ endfor }]"
  stripped = "a  ${"b"}  c ${~ "d" ~}   e"
  unwrapped = "${var.names}"
}
