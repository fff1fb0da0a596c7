/* tessera-connection-observe.c: what libstrophe's log and TLS callbacks tell about a login
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-connection-private.h"
#include "tessera-error.h"
#include "tessera-log.h"
#include "tessera-protocol.h"

/* Which connection owns a libstrophe context: libstrophe's log and
 * certificate callbacks only see the context. */
static GMutex      ctx_map_mutex;
static GHashTable *ctx_map;         /* xmpp_ctx_t* -> TesseraConnection* (unowned) */

void
_tessera_connection_ctx_map_add (xmpp_ctx_t        *ctx,
                                 TesseraConnection *self)
{
  g_mutex_lock (&ctx_map_mutex);
  if (ctx_map == NULL)
    ctx_map = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (ctx_map, ctx, self);
  g_mutex_unlock (&ctx_map_mutex);
}

void
_tessera_connection_ctx_map_remove (xmpp_ctx_t *ctx)
{
  g_mutex_lock (&ctx_map_mutex);
  if (ctx_map != NULL)
    g_hash_table_remove (ctx_map, ctx);
  g_mutex_unlock (&ctx_map_mutex);
}

TesseraConnection *
_tessera_connection_lookup_ctx (const xmpp_ctx_t *ctx)
{
  TesseraConnection *self = NULL;

  g_mutex_lock (&ctx_map_mutex);
  if (ctx_map != NULL)
    self = g_hash_table_lookup (ctx_map, ctx);
  g_mutex_unlock (&ctx_map_mutex);

  return self;
}

char *
_tessera_connection_normalize_pin (const char *pin)
{
  GString *out;

  if (pin == NULL || pin[0] == '\0')
    return NULL;

  out = g_string_new (NULL);
  for (const char *p = pin; *p != '\0'; p++)
    {
      if (g_ascii_isxdigit (*p))
        g_string_append_c (out, g_ascii_tolower (*p));
    }

  return g_string_free (out, FALSE);
}

static char *
fingerprint_of_pem (const char *pem)
{
  const char *begin;
  const char *end;
  g_autofree char *body = NULL;
  g_autofree guchar *der = NULL;
  gsize der_len = 0;

  if (pem == NULL)
    return NULL;
  begin = strstr (pem, "-----BEGIN CERTIFICATE-----");
  if (begin == NULL)
    return NULL;
  begin += strlen ("-----BEGIN CERTIFICATE-----");
  end = strstr (begin, "-----END CERTIFICATE-----");
  if (end == NULL)
    return NULL;

  /* g_base64_decode() skips the line breaks */
  body = g_strndup (begin, end - begin);
  der = g_base64_decode (body, &der_len);
  if (der == NULL || der_len == 0)
    return NULL;

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der, der_len);
}

/* ---- observing libstrophe through its log ------------------------------ */

/* libstrophe runs user handlers only after authentication, and says nothing
 * through its API about which SASL mechanism it used or why TLS failed; its
 * log does, line by line, on this same thread. */
static xmpp_stanza_t *
parse_logged_element (TesseraConnection *self,
                      const char        *xml)
{
  return xmpp_stanza_new_from_string (self->ctx, xml);
}

static gboolean
stanza_has_ns (xmpp_stanza_t *stanza,
               const char    *ns)
{
  return g_strcmp0 (xmpp_stanza_get_ns (stanza), ns) == 0;
}

static void
observe_features (TesseraConnection *self,
                  const char        *xml)
{
  xmpp_stanza_t *features = parse_logged_element (self, xml);
  xmpp_stanza_t *mechanisms;
  gboolean secured = xmpp_conn_is_secured (self->conn);

  if (features == NULL)
    return;

  if (!secured && xmpp_stanza_get_child_by_name_and_ns (features, "starttls", XMPP_NS_TLS) == NULL)
    self->obs.tls_not_offered = TRUE;

  mechanisms = xmpp_stanza_get_child_by_name_and_ns (features, "mechanisms", XMPP_NS_SASL);
  if (secured && mechanisms != NULL)
    {
      self->obs.mechanisms_seen = TRUE;
      self->obs.external_offered = FALSE;
      for (xmpp_stanza_t *m = xmpp_stanza_get_children (mechanisms); m; m = xmpp_stanza_get_next (m))
        {
          char *text;

          if (g_strcmp0 (xmpp_stanza_get_name (m), "mechanism") != 0)
            continue;
          text = xmpp_stanza_get_text (m);
          if (text != NULL && g_ascii_strcasecmp (g_strstrip (text), "EXTERNAL") == 0)
            self->obs.external_offered = TRUE;
          xmpp_free (self->ctx, text);
        }
    }

  xmpp_stanza_release (features);
}

static void
observe_sasl_failure (TesseraConnection *self,
                      const char        *xml)
{
  xmpp_stanza_t *failure = parse_logged_element (self, xml);

  if (failure == NULL || !stanza_has_ns (failure, XMPP_NS_SASL))
    {
      if (failure != NULL)
        xmpp_stanza_release (failure);
      return;
    }

  self->obs.sasl_failed = TRUE;
  for (xmpp_stanza_t *c = xmpp_stanza_get_children (failure); c; c = xmpp_stanza_get_next (c))
    {
      const char *name = xmpp_stanza_get_name (c);

      if (name == NULL || !xmpp_stanza_is_tag (c))
        continue;
      if (g_str_equal (name, "text"))
        {
          char *text = xmpp_stanza_get_text (c);

          g_free (self->obs.sasl_failure_text);
          self->obs.sasl_failure_text = g_strdup (text);
          xmpp_free (self->ctx, text);
        }
      else
        {
          g_free (self->obs.sasl_failure_condition);
          self->obs.sasl_failure_condition = g_strdup (name);
        }
    }

  xmpp_stanza_release (failure);
}

static void
observe_auth_sent (TesseraConnection *self,
                   const char        *xml)
{
  xmpp_stanza_t *auth = parse_logged_element (self, xml);

  if (auth == NULL)
    return;
  if (stanza_has_ns (auth, XMPP_NS_SASL))
    {
      g_free (self->obs.mechanism_sent);
      self->obs.mechanism_sent = g_strdup (xmpp_stanza_get_attribute (auth, "mechanism"));
      g_atomic_int_inc (&self->obs.auth_attempts);
    }
  xmpp_stanza_release (auth);
}

static void
observe_received (TesseraConnection *self,
                  const char        *xml)
{
  if (g_str_has_prefix (xml, "<features") || g_str_has_prefix (xml, "<stream:features"))
    observe_features (self, xml);
  else if (g_str_has_prefix (xml, "<failure"))
    {
      if (strstr (xml, XMPP_NS_TLS) != NULL)
        self->obs.tls_failed = TRUE;
      else
        observe_sasl_failure (self, xml);
    }
  else if (g_str_has_prefix (xml, "<success") && strstr (xml, XMPP_NS_SASL) != NULL)
    {
      g_free (self->obs.mechanism_accepted);
      self->obs.mechanism_accepted = g_strdup (self->obs.mechanism_sent);
    }
}

static void
observe_log_line (TesseraConnection *self,
                  const char        *msg)
{
  int err;

  if (g_str_has_prefix (msg, "RECV: "))
    observe_received (self, msg + strlen ("RECV: "));
  else if (g_str_has_prefix (msg, "SENT: <auth "))
    observe_auth_sent (self, msg + strlen ("SENT: "));
  else if (g_str_has_prefix (msg, "Couldn't start TLS"))
    self->obs.tls_failed = TRUE;
  else if (g_str_has_prefix (msg, "TLS is not supported"))
    self->obs.tls_not_offered = TRUE;
  else if (g_str_has_prefix (msg, "connection successful"))
    self->obs.tcp_connected = TRUE;
  else if (sscanf (msg, "connection failed, error %d", &err) == 1)
    self->obs.connect_errno = err;
}

void
_tessera_connection_log_cb (void             *userdata,
        xmpp_log_level_t  level,
        const char       *area,
        const char       *msg)
{
  TesseraConnection *self = userdata;

  if (msg == NULL)
    return;

  observe_log_line (self, msg);
  if (self->log_strophe)
    tessera_log_strophe (area, msg, (const char * const *) self->secrets);
}

int
_tessera_connection_certfail_cb (const xmpp_tlscert_t *cert,
             const char *const     errormsg)
{
  /* No user data here, and xmpp_tlscert_get_conn() is NULL: map the
   * context back to its connection. */
  TesseraConnection *self = _tessera_connection_lookup_ctx (xmpp_tlscert_get_ctx (cert));
  g_autofree char *fingerprint = NULL;

  if (self == NULL)
    return 0;

  fingerprint = fingerprint_of_pem (xmpp_tlscert_get_pem (cert));
  if (self->pin != NULL && fingerprint != NULL && g_str_equal (self->pin, fingerprint))
    {
      g_debug ("Server certificate %s not verified (%s) but pinned: accepted",
               fingerprint, errormsg);
      return 1;
    }

  g_debug ("Server certificate %s refused: %s",
           fingerprint != NULL ? fingerprint : "(unreadable)", errormsg);
  self->obs.cert_rejected = TRUE;
  g_free (self->obs.cert_error);
  self->obs.cert_error = g_strdup (errormsg);
  g_free (self->obs.cert_fingerprint);
  self->obs.cert_fingerprint = g_steal_pointer (&fingerprint);

  return 0;
}

GError *
_tessera_connection_error_for_stream_error (xmpp_stream_error_t *stream_error,
                                            gboolean             certificate_login)
{
  const char *condition = "undefined-condition";
  xmpp_stanza_t *child;

  if (stream_error->stanza != NULL)
    {
      for (child = xmpp_stanza_get_children (stream_error->stanza); child; child = xmpp_stanza_get_next (child))
        {
          const char *name = xmpp_stanza_get_name (child);

          if (name != NULL && xmpp_stanza_is_tag (child) && !g_str_equal (name, "text"))
            {
              condition = name;
              break;
            }
        }
    }

  /* RFC 6120 4.9.3.16: the keys or certificates of the stream were revoked
   * or expired, or the server has new security features to offer. Only a
   * certificate login has a certificate of ours to blame. */
  if (g_str_equal (condition, "reset") && certificate_login)
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_STREAM_ERROR,
                        _("The server ended the session: the certificate it used was revoked (reset)"));
  if (g_str_equal (condition, "reset") && stream_error->text != NULL)
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_STREAM_ERROR,
                        _("The server reset the connection: its security changed, connect again (reset, %s)"),
                        stream_error->text);
  if (g_str_equal (condition, "reset"))
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_STREAM_ERROR,
                        _("The server reset the connection: its security changed, connect again (reset)"));

  if (stream_error->text != NULL)
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_STREAM_ERROR,
                        _("The server ended the connection: %s (%s)"),
                        condition, stream_error->text);

  return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_STREAM_ERROR,
                      _("The server ended the connection: %s"), condition);
}

static GError *
error_for_failed_login (TesseraConnection *self)
{
  TesseraConnectionObservations *obs = &self->obs;
  const char *reason = obs->sasl_failure_text != NULL ? obs->sasl_failure_text
                     : obs->sasl_failure_condition != NULL ? obs->sasl_failure_condition
                     : "not-authorized";

  if (self->cert_path != NULL)
    {
      if (obs->mechanisms_seen && !obs->external_offered)
        return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_EXTERNAL_NOT_OFFERED,
                            _("Logging in with the certificate failed: the server does not offer SASL EXTERNAL"));
      if (obs->sasl_failed)
        return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED,
                            _("Logging in with the certificate failed: the server refused it (%s)"), reason);
      return NULL;
    }

  if (obs->sasl_failed)
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED,
                        _("Logging in failed: the server refused the password (%s)"), reason);
  if (obs->mechanisms_seen && g_atomic_int_get (&obs->auth_attempts) == 0)
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED,
                        _("Logging in failed: the server offers no login method Tessera supports"));

  return NULL;
}

static GError *
error_for_failed_tls (TesseraConnection *self)
{
  TesseraConnectionObservations *obs = &self->obs;

  if (obs->cert_rejected)
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TLS_CERTIFICATE,
                        _("Checking the server's certificate failed: %s (SHA-256 %s)"),
                        obs->cert_error != NULL ? obs->cert_error : _("not trusted"),
                        obs->cert_fingerprint != NULL ? obs->cert_fingerprint : "?");
  if (obs->tls_not_offered)
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TLS_NOT_OFFERED,
                        _("Securing the connection failed: the server does not offer TLS"));
  if (obs->tls_failed)
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TLS_NOT_OFFERED,
                        _("Securing the connection failed: the TLS handshake did not succeed"));

  return NULL;
}

/* Why a connection that never became ready ended. */
GError *
_tessera_connection_error_for_failed_connect (TesseraConnection   *self,
                          int                  error_code,
                          xmpp_stream_error_t *stream_error)
{
  const char *where = self->host != NULL ? self->host : self->domain;
  GError *error;
  int err;

  if (stream_error != NULL)
    return _tessera_connection_error_for_stream_error (stream_error, self->cert_path != NULL);
  if ((error = error_for_failed_tls (self)) != NULL)
    return error;
  if ((error = error_for_failed_login (self)) != NULL)
    return error;

  err = self->obs.connect_errno != 0 ? self->obs.connect_errno : error_code;
  if (!self->obs.tcp_connected)
    {
      if (err != 0)
        return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED,
                            _("Connecting to %s failed: %s"), where, g_strerror (err));
      return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED,
                          _("Connecting to %s failed: no address could be reached"), where);
    }

  return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED,
                      _("Connecting to %s failed: the server closed the connection during login"),
                      where);
}

void
_tessera_connection_observations_clear (TesseraConnectionObservations *obs)
{
  g_clear_pointer (&obs->mechanism_sent, g_free);
  g_clear_pointer (&obs->mechanism_accepted, g_free);
  g_clear_pointer (&obs->sasl_failure_condition, g_free);
  g_clear_pointer (&obs->sasl_failure_text, g_free);
  g_clear_pointer (&obs->cert_error, g_free);
  g_clear_pointer (&obs->cert_fingerprint, g_free);
}
