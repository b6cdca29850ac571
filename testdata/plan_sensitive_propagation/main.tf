variable "token" {
  type      = string
  default   = "s3cr3t"
  sensitive = true
}

variable "teams" {
  type    = list(string)
  default = ["ml", "data"]
}

locals {
  # Derived values stay sensitive: templates, function calls, conditionals.
  header     = "Bearer ${var.token}"
  upper      = upper(var.token)
  chosen     = length(var.token) > 3 ? "long" : "short"
  # Collections are sensitive per element.
  mixed      = [for team in var.teams : team == "ml" ? sensitive(team) : team]
  revealed   = nonsensitive(local.upper)
  is_secret  = issensitive(local.header)
}

resource "fake_bucket" "data" {
  name = "data"
  tags = {
    header   = local.header
    chosen   = local.chosen
    first    = local.mixed[0]
    second   = local.mixed[1]
    revealed = local.revealed
    checked  = tostring(local.is_secret)
  }
}

resource "fake_bucket" "copy" {
  name = "copy"
  # A sensitive attribute of another resource is sensitive where it is used.
  tags = { from = fake_bucket.data.tags["header"], plain = fake_bucket.data.tags["second"] }
}

output "header" {
  value     = local.header
  sensitive = true
}

output "second" {
  value = local.mixed[1]
}
