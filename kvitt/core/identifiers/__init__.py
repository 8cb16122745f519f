"""Identifiers Kvitt needs that python-stdnum does not cover (or covers too strictly).

Every module follows python-stdnum's shape: ``compact(number)``, ``validate(number)``
(returns the compact form or raises a ``stdnum.exceptions.ValidationError`` subclass
whose message says what is wrong), ``is_valid(number)`` and ``format(number)``.

For numbers stdnum already handles, use stdnum directly: ``stdnum.no.orgnr``,
``stdnum.no.kontonr``, ``stdnum.no.fodselsnummer``, ``stdnum.no.mva``,
``stdnum.se.personnummer``, ``stdnum.se.orgnr``, ``stdnum.luhn``.
"""
