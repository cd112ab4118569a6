"""Forms of the appeals pages, validation only (every write goes through appeals/actions): the round
controls (`rounds`), the packet's evidence (`packets`) and email preferences (`notifications`)."""
