"""What an officer signs: the statement, its canonical bytes, DSSE's PAE and the envelope.

`dsse` is standard library only (the offline inspector uses it); `envelope` composes and
parses statements and envelopes; `errors` holds their refusals and codes.
"""
