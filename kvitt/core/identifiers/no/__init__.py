"""Norwegian identifiers: KID (payment reference), HPR number, HER-id."""
