"""Swedish identifiers: bankgiro, plusgiro, OCR reference, samordningsnummer,
reservnummer, HSA-id."""
