"""What is sent to the platform, as documents (read-only): the letter and its annexes (`letters`),
the round's and a member's case packet as ZIP with a PDF (`packets`), and packets kept by their
fingerprint for the email that carries them (`storage`)."""
