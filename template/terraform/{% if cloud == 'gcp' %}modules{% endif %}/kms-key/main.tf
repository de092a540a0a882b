# Key rings cannot be deleted in Cloud KMS: each key gets its own ring of the same name, so the
# ring's name alone says what it protects, and IAM conditions can name exactly the rings a
# principal may manage (terraform/bootstrap does for the deploy service accounts).
resource "google_kms_key_ring" "this" {
  name     = var.name
  location = var.location
}

resource "google_kms_crypto_key" "this" {
  #checkov:skip=CKV_GCP_82:Cloud KMS never deletes a key; destroying it only schedules its versions for destruction, restorable for destroy_scheduled_duration (30 days by default), and prevent_destroy would block tearing down an environment.
  name                       = var.name
  key_ring                   = google_kms_key_ring.this.id
  purpose                    = "ENCRYPT_DECRYPT"
  rotation_period            = var.rotation_period
  destroy_scheduled_duration = var.destroy_scheduled_duration

  version_template {
    algorithm        = "GOOGLE_SYMMETRIC_ENCRYPTION"
    protection_level = "SOFTWARE"
  }

  labels = var.labels
}

# Authoritative for the role on this key: only the listed members (service agents of the
# services that encrypt with it) may use the key.
resource "google_kms_crypto_key_iam_binding" "encrypter_decrypter" {
  count = length(var.encrypter_decrypter_members) > 0 ? 1 : 0

  crypto_key_id = google_kms_crypto_key.this.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  members       = var.encrypter_decrypter_members
}
