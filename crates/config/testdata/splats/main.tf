variable "instances" {
  default = [
    { id = "i-1", tags = { Name = "one" } },
    { id = "i-2", tags = { Name = "two" } },
  ]
}

locals {
  ids        = var.instances[*].id
  names      = var.instances[*].tags.Name
  legacy     = var.instances.*.id
  single     = { id = "solo" }
  from_one   = local.single[*].id
  first_name = var.instances[0].tags["Name"]
  nothing    = null
  empty      = local.nothing[*]
}
