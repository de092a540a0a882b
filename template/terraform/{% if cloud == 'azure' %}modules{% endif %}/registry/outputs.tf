output "id" {
  description = "Resource ID of the registry."
  value       = try(azurerm_container_registry.this.id, null)
}

output "name" {
  description = "Name of the registry."
  value       = try(azurerm_container_registry.this.name, null)
}

output "login_server" {
  description = "Host name images are pushed to and pulled from, `<name>.azurecr.io`."
  value       = try(azurerm_container_registry.this.login_server, null)
}
