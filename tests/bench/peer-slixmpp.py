#!/usr/bin/python3
# peer-slixmpp.py: the peer client of the benchmark: XEP-0257 list and certificate login with slixmpp
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The same two operations tessera-cli does in the peer table, done by
slixmpp (Debian's python3-slixmpp) with its own XEP-0257 plugin:

  peer-slixmpp.py list  --jid J --host H --port P --ca-file F
                        (password from $TESSERA_PASSWORD; xep_0257 get_certs)
  peer-slixmpp.py login --jid J --host H --port P --ca-file F
                        --cert PEM --key PEM [--key-passphrase-file FILE]
                        (SASL EXTERNAL only, no password)

Same rules as Tessera: STARTTLS required, the server certificate checked
against --ca-file. Prints the number of certificates or the bound JID;
exit status 0 on success, 1 on failure."""

import argparse
import asyncio
import logging
import os
import sys

import slixmpp

NS_SASLCERT = "urn:xmpp:saslcert:1"


class Peer(slixmpp.ClientXMPP):
    def __init__(self, args, password):
        plugin_config = {}
        if args.mode == "login":
            plugin_config["feature_mechanisms"] = {"use_mech": "EXTERNAL"}
        super().__init__(args.jid, password, plugin_config=plugin_config)
        self.args = args
        self.ok = False
        self.ca_certs = args.ca_file
        if args.mode == "login":
            passphrase = None
            if args.key_passphrase_file:
                with open(args.key_passphrase_file) as f:
                    passphrase = f.readline().rstrip("\r\n")
            # The same encrypted PKCS #8 key Tessera uses, unlocked by OpenSSL
            self.ssl_context.load_cert_chain(args.cert, args.key, password=passphrase)
        else:
            self.register_plugin("xep_0030")
            self.register_plugin("xep_0257")
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("failed_auth", self.on_failure)
        self.add_event_handler("connection_failed", self.on_failure)
        self.add_event_handler("disconnected", self.on_disconnected)

    async def on_session_start(self, event):
        try:
            if self.args.mode == "list":
                iq = await self["xep_0257"].get_certs(timeout=20)
                items = iq.xml.findall("{%s}items/{%s}item" % (NS_SASLCERT, NS_SASLCERT))
                print("%d certificates" % len(items))
            else:
                print(self.boundjid.full)
            self.ok = True
        finally:
            self.disconnect()

    def on_failure(self, event):
        self.disconnect()

    def on_disconnected(self, event):
        self.loop.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("list", "login"))
    parser.add_argument("--jid", required=True)
    parser.add_argument("--host", default="")
    parser.add_argument("--port", type=int, default=5222)
    parser.add_argument("--ca-file")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--key-passphrase-file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)

    password = None
    if args.mode == "list":
        password = os.environ.get("TESSERA_PASSWORD")
        if password is None:
            parser.error("list needs $TESSERA_PASSWORD")
    elif not (args.cert and args.key):
        parser.error("login needs --cert and --key")

    asyncio.set_event_loop(asyncio.new_event_loop())
    peer = Peer(args, password)
    peer.connect((args.host, args.port), force_starttls=True)
    timeout = peer.loop.call_later(30, peer.loop.stop)
    peer.loop.run_forever()
    timeout.cancel()
    return 0 if peer.ok else 1


if __name__ == "__main__":
    sys.exit(main())
