//! The built-in reference SCIM server (placeholder until the serve branch lands).
