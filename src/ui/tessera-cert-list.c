/* tessera-cert-list.c: the sortable table of an account's certificates
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-cell-label.h"
#include "tessera-cert-list.h"
#include "tessera-format.h"

struct _TesseraCertList
{
  AdwBin              parent_instance;

  GtkColumnView      *column_view;
  GtkMultiSelection  *selection;
  GtkSortListModel   *sort_model;
  GtkColumnViewColumn *name_column;
  GtkColumnViewColumn *last_used_column;
  GtkColumnViewColumn *users_column;
  GtkColumnViewColumn *expires_column;
  GtkColumnViewColumn *fingerprint_column;
  GMenuModel         *context_menu_model;
  GtkWidget          *context_menu;       /* made on first use */

  GListModel         *model;
  GHashTable         *device_fingerprints;
  GHashTable         *kept_fingerprints;   /* keys kept here that are not this device's */
  GDateTime          *now;                /* "stale" is judged as of the list */
  GHashTable         *expiry_texts;       /* entry → its "Expires" text, made on first bind */
  TesseraCertEntry   *selected;           /* the one selected, NULL for none or several */
  guint               n_selected;
};

G_DEFINE_FINAL_TYPE (TesseraCertList, tessera_cert_list, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_SELECTED,
  PROP_N_SELECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const state_classes[] = { "warning", "error", "tessera-dim", NULL };

/* Rows are recycled while scrolling: GTK 4.8 keeps up to 200 of them and a
 * fast scroll rebinds a page of rows per frame, so what a row costs is
 * mostly what GTK does with its widgets (create, style, measure, draw),
 * not our code. So a row has one GtkLabel per cell, plus the name cell's
 * box and badges only on rows that show one. No cell asks for its size in
 * characters (width-chars, or a GtkInscription's min/nat chars): in GTK 4.8
 * each such measure shapes Pango's sample text for the language anew in the
 * widget's own Pango context, which made up a fifth of the list's first
 * frame; the few widths that need a floor take it from style.css in em. An
 * icon is the CSS background of its state class (style.css), and tooltips
 * are computed when asked for (query-tooltip), so a bind sets a text and at
 * most swaps a class. Each setter compares first: removing a class and
 * adding it back restyles the widget. */

typedef enum {
  CELL_LAST_USED,
  CELL_USERS,
  CELL_EXPIRES,
  CELL_FINGERPRINT,
} CellKind;

static void
set_state_class (GtkWidget  *widget,
                 const char *css_class)
{
  for (guint i = 0; state_classes[i] != NULL; i++)
    {
      gboolean wanted = g_strcmp0 (state_classes[i], css_class) == 0;

      if (wanted != gtk_widget_has_css_class (widget, state_classes[i]))
        {
          if (wanted)
            gtk_widget_add_css_class (widget, state_classes[i]);
          else
            gtk_widget_remove_css_class (widget, state_classes[i]);
        }
    }
}

static void
set_cell_text (GtkWidget  *cell,
               const char *text)
{
  tessera_cell_label_set_text (TESSERA_CELL_LABEL (cell), text);
}

static void
set_visible (GtkWidget *widget,
             gboolean   visible)
{
  if (gtk_widget_get_visible (widget) != visible)
    gtk_widget_set_visible (widget, visible);
}

static GDateTime *
entry_get_not_after (TesseraCertEntry *entry)
{
  TesseraCertificate *certificate = tessera_cert_entry_get_certificate (entry);

  if (certificate == NULL)
    return NULL;
  return tessera_certificate_get_not_after (certificate);
}

/* Tooltips, when the pointer rests on a cell */

static char *
last_used_tooltip (TesseraCertEntry *entry)
{
  switch (tessera_cert_entry_get_last_used_state (entry))
    {
    case TESSERA_LAST_USED_NEVER:
      return g_strdup (_("No device has logged in with this certificate yet"));

    case TESSERA_LAST_USED_AT:
      return tessera_format_exact_time (tessera_cert_entry_get_last_used (entry));

    case TESSERA_LAST_USED_UNKNOWN:
    default:
      return g_strdup (tessera_cert_entry_get_cert_protocol (entry) == TESSERA_CERT_PROTOCOL_XEP0257
                         ? _("The server does not record when certificates are used")
                         : _("The server did not send a readable time"));
    }
}

static char *
cell_tooltip (CellKind          kind,
              TesseraCertEntry *entry)
{
  GDateTime *not_after;

  switch (kind)
    {
    case CELL_LAST_USED:
      return last_used_tooltip (entry);

    case CELL_USERS:
      return tessera_format_users (tessera_cert_entry_get_users (entry));

    case CELL_EXPIRES:
      not_after = entry_get_not_after (entry);
      return not_after != NULL ? tessera_format_exact_time (not_after) : NULL;

    case CELL_FINGERPRINT:
    default:
      return tessera_fingerprint_format (tessera_cert_entry_get_fingerprint (entry),
                                         TESSERA_FINGERPRINT_UPPER | TESSERA_FINGERPRINT_COLONS);
    }
}

/**
 * tessera_cert_list_dup_tooltip:
 * @self: a #TesseraCertList
 * @cell: a cell of one of its rows
 *
 * What @cell's tooltip says for the certificate its row shows now, as
 * "query-tooltip" asks for it.
 *
 * Returns: (transfer full) (nullable): the tooltip, or %NULL for none
 */
char *
tessera_cert_list_dup_tooltip (TesseraCertList *self,
                               GtkWidget       *cell)
{
  GtkListItem *item;
  TesseraCertEntry *entry;

  g_return_val_if_fail (TESSERA_IS_CERT_LIST (self), NULL);
  g_return_val_if_fail (GTK_IS_WIDGET (cell), NULL);

  item = g_object_get_data (G_OBJECT (cell), "tessera-list-item");
  entry = item != NULL ? gtk_list_item_get_item (item) : NULL;
  if (entry == NULL)
    return NULL;
  return cell_tooltip (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (cell), "tessera-cell-kind")), entry);
}

static gboolean
cell_query_tooltip_cb (GtkWidget       *cell,
                       int              x,
                       int              y,
                       gboolean         keyboard_mode,
                       GtkTooltip      *tooltip,
                       TesseraCertList *self)
{
  g_autofree char *text = tessera_cert_list_dup_tooltip (self, cell);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* Cells */

/* @css_class names the column (style.css: the widths the columns keep). A
 * cell that may be cut ends in an ellipsis, and its tooltip says it whole. */
static GtkWidget *
cell_new (const char *css_class,
          gboolean    ellipsize)
{
  GtkWidget *cell = tessera_cell_label_new (ellipsize);

  gtk_widget_add_css_class (cell, css_class);
  return cell;
}

/* The list item owns the cell, so the pointer lives as long as the cell. */
static void
set_cell_child (TesseraCertList *self,
                GtkListItem     *item,
                GtkWidget       *cell,
                CellKind         kind)
{
  g_object_set_data (G_OBJECT (cell), "tessera-list-item", item);
  g_object_set_data (G_OBJECT (cell), "tessera-cell-kind", GINT_TO_POINTER (kind));
  gtk_widget_set_has_tooltip (cell, TRUE);
  /* The cells live inside the list: it outlives them. */
  g_signal_connect (cell, "query-tooltip", G_CALLBACK (cell_query_tooltip_cb), self);
  gtk_list_item_set_child (item, cell);
}

static void
users_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                TesseraCertList          *self)
{
  set_cell_child (self, item, cell_new ("tessera-users-cell", TRUE), CELL_USERS);
}

static void
fingerprint_setup_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      TesseraCertList          *self)
{
  /* The short form is a few characters; it is never cut. */
  GtkWidget *cell = cell_new ("monospace", FALSE);

  set_cell_child (self, item, cell, CELL_FINGERPRINT);
}

/* "Never used" or a date, after a gutter for the state's icon (style.css);
 * this column and "Expires" hold short texts, kept whole: the name column
 * gives way instead */
static void
last_used_setup_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    TesseraCertList          *self)
{
  GtkWidget *cell = cell_new ("tessera-last-used-cell", FALSE);

  gtk_widget_add_css_class (cell, "tessera-icon-cell");
  gtk_widget_add_css_class (cell, "tessera-gutter");
  set_cell_child (self, item, cell, CELL_LAST_USED);
}

static void
expires_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  TesseraCertList          *self)
{
  GtkWidget *cell = cell_new ("tessera-expires-cell", FALSE);

  gtk_widget_add_css_class (cell, "tessera-icon-cell");
  set_cell_child (self, item, cell, CELL_EXPIRES);
}

/* The name cell's badges, in the order they follow the name */
typedef enum {
  BADGE_DEVICE,
  BADGE_KEPT,
  BADGE_UNREADABLE,
  BADGE_STALE,
  N_BADGES
} BadgeKind;

static const struct {
  const char *key;
  const char *text;        /* untranslated: translated when a badge is made */
  const char *css_class;
} badges[N_BADGES] = {
  [BADGE_DEVICE] = { "tessera-device-badge", N_("This device"), "accent" },
  [BADGE_KEPT] = { "tessera-kept-badge", N_("Kept on this device"), "dim-badge" },
  [BADGE_UNREADABLE] = { "tessera-unreadable-badge", N_("Unreadable"), "warning" },
  /* Translators: a badge on a certificate nobody seems to use any more */
  [BADGE_STALE] = { "tessera-stale-badge", N_("Stale"), "dim-badge" },
};

static char *
badge_tooltip (BadgeKind kind)
{
  switch (kind)
    {
    case BADGE_KEPT:
      return g_strdup (_("Its key is on this device too, but this device logs in with its own certificate: "
                         "export it for another program, or revoke it"));

    case BADGE_UNREADABLE:
      return g_strdup (_("The server sent data that is not a readable certificate"));

    case BADGE_STALE:
      /* Translators: tooltip of the "Stale" badge */
      return g_strdup_printf (_("Never used and issued more than %d days ago, or last used more than %d days "
                                "ago: probably a device that is gone"),
                              TESSERA_STALE_NEVER_USED_DAYS, TESSERA_STALE_UNUSED_DAYS);

    case BADGE_DEVICE:
    case N_BADGES:
    default:
      return NULL;
    }
}

/* Asked for like the cells' tooltips: setting "tooltip-text" on a shown
 * widget makes GTK look up the pointer, a round trip to the X server for
 * every badge made while scrolling. */
static gboolean
badge_query_tooltip_cb (GtkWidget  *badge,
                        int         x,
                        int         y,
                        gboolean    keyboard_mode,
                        GtkTooltip *tooltip,
                        gpointer    user_data)
{
  g_autofree char *text = badge_tooltip (GPOINTER_TO_INT (user_data));

  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static GtkWidget *
create_badge (BadgeKind kind)
{
  GtkWidget *badge = gtk_label_new (_(badges[kind].text));

  gtk_widget_add_css_class (badge, "tessera-badge");
  gtk_widget_add_css_class (badge, badges[kind].css_class);
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  if (kind != BADGE_DEVICE)
    {
      gtk_widget_set_has_tooltip (badge, TRUE);
      g_signal_connect (badge, "query-tooltip", G_CALLBACK (badge_query_tooltip_cb), GINT_TO_POINTER (kind));
    }
  return badge;
}

static void
name_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               TesseraCertList          *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);

  /* Names stay readable next to a badge even in a narrow window. */
  gtk_box_append (GTK_BOX (box), cell_new ("tessera-name-cell", TRUE));
  g_object_set_data (G_OBJECT (box), "tessera-list-item", item);
  gtk_list_item_set_child (item, box);
}

/* Most rows show no badge: a badge is made the first time its row needs it,
 * so the up to 200 rows GtkListView keeps hold fewer widgets. */
static void
show_badge (GtkWidget *box,
            BadgeKind  kind,
            gboolean   visible)
{
  GtkWidget *badge = g_object_get_data (G_OBJECT (box), badges[kind].key);
  GtkWidget *before;

  if (badge == NULL && !visible)
    return;
  if (badge == NULL)
    {
      badge = create_badge (kind);
      /* After the name and the badges that come first */
      before = gtk_widget_get_first_child (box);
      for (guint i = 0; i < kind; i++)
        if (g_object_get_data (G_OBJECT (box), badges[i].key) != NULL)
          before = g_object_get_data (G_OBJECT (box), badges[i].key);
      gtk_box_insert_child_after (GTK_BOX (box), badge, before);
      g_object_set_data (G_OBJECT (box), badges[kind].key, badge);
    }
  set_visible (badge, visible);
}

static void
name_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              TesseraCertList          *self)
{
  TesseraCertEntry *entry = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *cell = gtk_widget_get_first_child (box);
  const char *name = tessera_cert_entry_get_name (entry);

  set_state_class (cell, name[0] == '\0' ? "tessera-dim" : NULL);
  set_cell_text (cell, name[0] == '\0' ? _("Unnamed") : name);
  show_badge (box, BADGE_DEVICE, tessera_cert_list_is_device (self, entry));
  show_badge (box, BADGE_KEPT,
              g_hash_table_contains (self->kept_fingerprints, tessera_cert_entry_get_fingerprint (entry)));
  show_badge (box, BADGE_UNREADABLE, tessera_cert_entry_get_certificate (entry) == NULL);
  show_badge (box, BADGE_STALE, tessera_cert_entry_is_stale (entry, self->now));
}

static void
last_used_bind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   TesseraCertList          *self)
{
  TesseraCertEntry *entry = gtk_list_item_get_item (item);
  GtkWidget *cell = gtk_list_item_get_child (item);
  g_autofree char *relative = NULL;

  switch (tessera_cert_entry_get_last_used_state (entry))
    {
    case TESSERA_LAST_USED_NEVER:
      set_state_class (cell, "warning");
      set_cell_text (cell, _("Never used"));
      break;

    case TESSERA_LAST_USED_AT:
      relative = tessera_format_relative_time (tessera_cert_entry_get_last_used (entry), NULL);
      set_state_class (cell, NULL);
      set_cell_text (cell, relative);
      break;

    case TESSERA_LAST_USED_UNKNOWN:
    default:
      set_state_class (cell, "tessera-dim");
      set_cell_text (cell, _("Unknown"));
      break;
    }
}

static void
users_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               TesseraCertList          *self)
{
  TesseraCertEntry *entry = gtk_list_item_get_item (item);
  GtkWidget *cell = gtk_list_item_get_child (item);
  g_autofree char *users = tessera_format_users (tessera_cert_entry_get_users (entry));

  set_state_class (cell, users == NULL ? "tessera-dim" : NULL);
  set_cell_text (cell, users == NULL ? _("Not in use") : users);
}

/* Formatting a date looks up the local time zone (a stat() of
 * /etc/localtime in GLib 2.74) and was the largest part of a bind: each
 * entry's text is made once per shown list. The entries are the model's,
 * which set_model() replaces together with this table. */
static const char *
expiry_text (TesseraCertList  *self,
             TesseraCertEntry *entry)
{
  char *text = g_hash_table_lookup (self->expiry_texts, entry);

  if (text == NULL)
    {
      text = tessera_format_expiry (entry_get_not_after (entry), NULL);
      g_hash_table_insert (self->expiry_texts, entry, text);
    }
  return text;
}

static void
expires_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 TesseraCertList          *self)
{
  TesseraCertEntry *entry = gtk_list_item_get_item (item);
  GDateTime *not_after = entry_get_not_after (entry);
  GtkWidget *cell = gtk_list_item_get_child (item);
  const char *text = expiry_text (self, entry);

  switch (tessera_format_expiry_state (not_after, NULL))
    {
    case TESSERA_EXPIRY_EXPIRED:
      set_state_class (cell, "error");
      break;

    case TESSERA_EXPIRY_SOON:
      set_state_class (cell, "warning");
      break;

    case TESSERA_EXPIRY_UNKNOWN:
      set_state_class (cell, "tessera-dim");
      break;

    case TESSERA_EXPIRY_VALID:
    default:
      set_state_class (cell, NULL);
      break;
    }
  set_cell_text (cell, text);
}

static void
fingerprint_bind_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     TesseraCertList          *self)
{
  TesseraCertEntry *entry = gtk_list_item_get_item (item);
  g_autofree char *short_text = tessera_fingerprint_shorten (tessera_cert_entry_get_fingerprint (entry));

  set_cell_text (gtk_list_item_get_child (item), short_text);
}

/* Sorting */

static int
compare_datetimes (GDateTime *a,
                   GDateTime *b)
{
  if (a == NULL || b == NULL)
    return (a != NULL) - (b != NULL);
  return g_date_time_compare (a, b);
}

static int
last_used_rank (TesseraCertEntry *entry)
{
  switch (tessera_cert_entry_get_last_used_state (entry))
    {
    case TESSERA_LAST_USED_NEVER:
      return 0;
    case TESSERA_LAST_USED_UNKNOWN:
      return 1;
    case TESSERA_LAST_USED_AT:
    default:
      return 2;
    }
}

static int
compare_last_used (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  TesseraCertEntry *entry_a = (TesseraCertEntry *) a;
  TesseraCertEntry *entry_b = (TesseraCertEntry *) b;
  int rank = last_used_rank (entry_a) - last_used_rank (entry_b);

  if (rank != 0)
    return rank < 0 ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
  return compare_datetimes (tessera_cert_entry_get_last_used (entry_a),
                            tessera_cert_entry_get_last_used (entry_b));
}

static int
compare_users (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  guint n_a = g_strv_length ((char **) tessera_cert_entry_get_users ((TesseraCertEntry *) a));
  guint n_b = g_strv_length ((char **) tessera_cert_entry_get_users ((TesseraCertEntry *) b));

  if (n_a == n_b)
    return GTK_ORDERING_EQUAL;
  return n_a < n_b ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
}

static int
compare_expires (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return compare_datetimes (entry_get_not_after ((TesseraCertEntry *) a),
                            entry_get_not_after ((TesseraCertEntry *) b));
}

static GtkSorter *
string_sorter_new (const char *property)
{
  GtkExpression *expression = gtk_property_expression_new (TESSERA_TYPE_CERT_ENTRY, NULL, property);

  return GTK_SORTER (gtk_string_sorter_new (expression));
}

static void
set_column_sorter (GtkColumnViewColumn *column,
                   GtkSorter           *sorter)
{
  gtk_column_view_column_set_sorter (column, sorter);
  g_object_unref (sorter);
}

static void
setup_sorters (TesseraCertList *self)
{
  set_column_sorter (self->name_column, string_sorter_new ("name"));
  set_column_sorter (self->last_used_column,
                     GTK_SORTER (gtk_custom_sorter_new (compare_last_used, NULL, NULL)));
  set_column_sorter (self->users_column,
                     GTK_SORTER (gtk_custom_sorter_new (compare_users, NULL, NULL)));
  set_column_sorter (self->expires_column,
                     GTK_SORTER (gtk_custom_sorter_new (compare_expires, NULL, NULL)));
  set_column_sorter (self->fingerprint_column, string_sorter_new ("fingerprint"));

  gtk_sort_list_model_set_sorter (self->sort_model, gtk_column_view_get_sorter (self->column_view));
  gtk_column_view_sort_by_column (self->column_view, self->name_column, GTK_SORT_ASCENDING);
}

/* Notifies only what changed: the details pane rebinds on "selected", and
 * a Ctrl+click that adds a third row changes only "n-selected". */
static void
update_selection (TesseraCertList *self)
{
  g_autoptr(GtkBitset) bitset = NULL;
  g_autoptr(TesseraCertEntry) selected = NULL;
  guint n_selected;

  /* The template's disposal empties the models after clearing the pointer. */
  if (self->selection == NULL)
    return;
  bitset = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  n_selected = (guint) MIN (gtk_bitset_get_size (bitset), G_MAXUINT);
  if (n_selected == 1)
    selected = g_list_model_get_item (G_LIST_MODEL (self->selection), gtk_bitset_get_nth (bitset, 0));

  g_object_freeze_notify (G_OBJECT (self));
  if (g_set_object (&self->selected, selected))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
  if (self->n_selected != n_selected)
    {
      self->n_selected = n_selected;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SELECTED]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
selection_changed_cb (TesseraCertList *self)
{
  update_selection (self);
}

/* Context menu: a secondary click or a long press on a row, Shift+F10 or
 * the Menu key. The row under the pointer becomes the selection unless it
 * is part of it already, so the menu acts on what the user pointed at. */

static GtkListItem *
pick_list_item (TesseraCertList *self,
                double           x,
                double           y)
{
  for (GtkWidget *widget = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);
       widget != NULL && widget != GTK_WIDGET (self);
       widget = gtk_widget_get_parent (widget))
    {
      GtkListItem *item = g_object_get_data (G_OBJECT (widget), "tessera-list-item");

      if (item != NULL)
        return item;
    }
  return NULL;
}

static void
popup_context_menu (TesseraCertList *self,
                    double           x,
                    double           y)
{
  if (self->context_menu == NULL)
    {
      self->context_menu = gtk_popover_menu_new_from_model (self->context_menu_model);
      gtk_widget_set_parent (self->context_menu, GTK_WIDGET (self));
      gtk_popover_set_has_arrow (GTK_POPOVER (self->context_menu), FALSE);
      gtk_widget_set_halign (self->context_menu, GTK_ALIGN_START);
    }
  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu),
                               &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
}

static void
context_pressed (TesseraCertList *self,
                 GtkGesture      *gesture,
                 double           x,
                 double           y)
{
  GtkListItem *item = pick_list_item (self, x, y);
  guint position;

  if (item == NULL || gtk_list_item_get_item (item) == NULL)
    return;
  gtk_gesture_set_state (gesture, GTK_EVENT_SEQUENCE_CLAIMED);
  position = gtk_list_item_get_position (item);
  if (!gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  popup_context_menu (self, x, y);
}

static void
secondary_pressed_cb (GtkGestureClick *gesture,
                      int              n_press,
                      double           x,
                      double           y,
                      TesseraCertList *self)
{
  context_pressed (self, GTK_GESTURE (gesture), x, y);
}

static void
long_pressed_cb (GtkGestureLongPress *gesture,
                 double               x,
                 double               y,
                 TesseraCertList     *self)
{
  context_pressed (self, GTK_GESTURE (gesture), x, y);
}

/* From the keyboard: at the focused row, else at the list's top. */
static gboolean
context_menu_key_cb (GtkWidget *widget,
                     GVariant  *args,
                     gpointer   user_data)
{
  TesseraCertList *self = TESSERA_CERT_LIST (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  graphene_rect_t bounds;
  double x = 24, y = 24;

  if (gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection)) == NULL ||
      tessera_cert_list_get_n_selected (self) == 0)
    return FALSE;
  if (focus != NULL && gtk_widget_is_ancestor (focus, widget) &&
      gtk_widget_compute_bounds (focus, widget, &bounds))
    {
      x = bounds.origin.x + 24;
      y = bounds.origin.y + bounds.size.height / 2;
    }
  popup_context_menu (self, x, y);
  return TRUE;
}

static void
setup_context_menu (TesseraCertList *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *long_press = gtk_gesture_long_press_new ();

  /* Capture: the rows' own click gestures would claim the press first. */
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (secondary_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (long_press), TRUE);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (long_press), GTK_PHASE_CAPTURE);
  g_signal_connect (long_press, "pressed", G_CALLBACK (long_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (long_press));
}

/**
 * tessera_cert_list_popup_context_menu:
 * @self: a #TesseraCertList
 * @x: where, in @self's coordinates
 * @y: where, in @self's coordinates
 *
 * Opens the context menu for the row at (@x, @y) as a secondary click
 * there does: that row is selected first unless it is selected already.
 *
 * Returns: %FALSE when no row is there (no menu)
 */
gboolean
tessera_cert_list_popup_context_menu (TesseraCertList *self,
                                      double           x,
                                      double           y)
{
  GtkListItem *item;

  g_return_val_if_fail (TESSERA_IS_CERT_LIST (self), FALSE);

  item = pick_list_item (self, x, y);
  if (item == NULL || gtk_list_item_get_item (item) == NULL)
    return FALSE;
  if (!gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), gtk_list_item_get_position (item)))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), gtk_list_item_get_position (item), TRUE);
  popup_context_menu (self, x, y);
  return TRUE;
}

/**
 * tessera_cert_list_get_context_menu:
 * @self: a #TesseraCertList
 *
 * Returns: (transfer none) (nullable): the context menu once it was opened
 */
GtkWidget *
tessera_cert_list_get_context_menu (TesseraCertList *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_LIST (self), NULL);

  return self->context_menu;
}

/* GObject */

static void
tessera_cert_list_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  TesseraCertList *self = TESSERA_CERT_LIST (widget);

  GTK_WIDGET_CLASS (tessera_cert_list_parent_class)->size_allocate (widget, width, height, baseline);
  if (self->context_menu != NULL)
    gtk_popover_present (GTK_POPOVER (self->context_menu));
}

static void
tessera_cert_list_dispose (GObject *object)
{
  TesseraCertList *self = (TesseraCertList *) object;

  g_clear_pointer (&self->context_menu, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_CERT_LIST);
  g_clear_object (&self->model);
  g_clear_pointer (&self->device_fingerprints, g_hash_table_unref);
  g_clear_pointer (&self->kept_fingerprints, g_hash_table_unref);
  g_clear_pointer (&self->now, g_date_time_unref);
  g_clear_pointer (&self->expiry_texts, g_hash_table_unref);
  g_clear_object (&self->selected);

  G_OBJECT_CLASS (tessera_cert_list_parent_class)->dispose (object);
}

static void
tessera_cert_list_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TesseraCertList *self = TESSERA_CERT_LIST (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    case PROP_SELECTED:
      g_value_set_object (value, self->selected);
      break;

    case PROP_N_SELECTED:
      g_value_set_uint (value, self->n_selected);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_cert_list_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  TesseraCertList *self = TESSERA_CERT_LIST (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      tessera_cert_list_set_model (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_cert_list_class_init (TesseraCertListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_cert_list_dispose;
  object_class->get_property = tessera_cert_list_get_property;
  object_class->set_property = tessera_cert_list_set_property;
  widget_class->size_allocate = tessera_cert_list_size_allocate;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* The one selected certificate: NULL when none or several are */
  properties[PROP_SELECTED] =
    g_param_spec_object ("selected", NULL, NULL,
                         TESSERA_TYPE_CERT_ENTRY,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_N_SELECTED] =
    g_param_spec_uint ("n-selected", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera_xmpp/Tessera/tessera-cert-list.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraCertList, column_view);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertList, selection);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertList, sort_model);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertList, name_column);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertList, last_used_column);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertList, users_column);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertList, expires_column);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertList, fingerprint_column);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertList, context_menu_model);
  gtk_widget_class_bind_template_callback (widget_class, users_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, fingerprint_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, last_used_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, expires_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, last_used_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, users_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, expires_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, fingerprint_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, context_menu_key_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Menu, 0, context_menu_key_cb, NULL);
}

static void
tessera_cert_list_init (TesseraCertList *self)
{
  self->device_fingerprints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->kept_fingerprints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->now = g_date_time_new_now_utc ();
  self->expiry_texts = g_hash_table_new_full (NULL, NULL, NULL, g_free);

  gtk_widget_init_template (GTK_WIDGET (self));
  /* GtkMultiSelection reports a selection changed by a re-sort or a new
   * model as items-changed only. */
  g_signal_connect_object (self->selection, "items-changed", G_CALLBACK (update_selection), self,
                           G_CONNECT_SWAPPED);
  setup_sorters (self);
  setup_context_menu (self);
}

GtkWidget *
tessera_cert_list_new (void)
{
  return g_object_new (TESSERA_TYPE_CERT_LIST, NULL);
}

/**
 * tessera_cert_list_get_model:
 * @self: a #TesseraCertList
 *
 * Returns: (transfer none) (nullable): the #GListModel of #TesseraCertEntry shown
 */
GListModel *
tessera_cert_list_get_model (TesseraCertList *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_LIST (self), NULL);

  return self->model;
}

/**
 * tessera_cert_list_set_model:
 * @self: a #TesseraCertList
 * @model: (nullable): a #GListModel of #TesseraCertEntry, as the session lists it
 */
void
tessera_cert_list_set_model (TesseraCertList *self,
                             GListModel      *model)
{
  g_return_if_fail (TESSERA_IS_CERT_LIST (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  /* Rebinding every row also picks up new device fingerprints, so this runs
   * even when the model is the same. */
  g_set_object (&self->model, model);
  g_clear_pointer (&self->now, g_date_time_unref);
  self->now = g_date_time_new_now_utc ();
  gtk_sort_list_model_set_model (self->sort_model, NULL);
  g_hash_table_remove_all (self->expiry_texts);
  gtk_sort_list_model_set_model (self->sort_model, model);
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  update_selection (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

/**
 * tessera_cert_list_set_device_fingerprints:
 * @self: a #TesseraCertList
 * @fingerprints: (nullable): fingerprints of the certificates whose key lives
 *   on this device; they get the "This device" badge
 *
 * Takes effect at the next tessera_cert_list_set_model().
 */
void
tessera_cert_list_set_device_fingerprints (TesseraCertList    *self,
                                           const char * const *fingerprints)
{
  g_return_if_fail (TESSERA_IS_CERT_LIST (self));

  g_hash_table_remove_all (self->device_fingerprints);
  for (guint i = 0; fingerprints != NULL && fingerprints[i] != NULL; i++)
    g_hash_table_add (self->device_fingerprints, g_strdup (fingerprints[i]));
}

/**
 * tessera_cert_list_set_key_fingerprints:
 * @self: a #TesseraCertList
 * @fingerprints: (nullable): fingerprints of every certificate whose key is
 *   on this device; those that are not this device's get the "Kept on this
 *   device" badge (a store from before one certificate per device)
 *
 * Takes effect at the next tessera_cert_list_set_model(), after
 * tessera_cert_list_set_device_fingerprints().
 */
void
tessera_cert_list_set_key_fingerprints (TesseraCertList    *self,
                                        const char * const *fingerprints)
{
  g_return_if_fail (TESSERA_IS_CERT_LIST (self));

  g_hash_table_remove_all (self->kept_fingerprints);
  for (guint i = 0; fingerprints != NULL && fingerprints[i] != NULL; i++)
    if (!g_hash_table_contains (self->device_fingerprints, fingerprints[i]))
      g_hash_table_add (self->kept_fingerprints, g_strdup (fingerprints[i]));
}

gboolean
tessera_cert_list_is_device (TesseraCertList  *self,
                             TesseraCertEntry *entry)
{
  g_return_val_if_fail (TESSERA_IS_CERT_LIST (self), FALSE);
  g_return_val_if_fail (TESSERA_IS_CERT_ENTRY (entry), FALSE);

  return g_hash_table_contains (self->device_fingerprints, tessera_cert_entry_get_fingerprint (entry));
}

/**
 * tessera_cert_list_get_selected:
 * @self: a #TesseraCertList
 *
 * Returns: (transfer none) (nullable): the selected certificate when
 *   exactly one is selected
 */
TesseraCertEntry *
tessera_cert_list_get_selected (TesseraCertList *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_LIST (self), NULL);

  return self->selected;
}

guint
tessera_cert_list_get_n_selected (TesseraCertList *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_LIST (self), 0);

  return self->n_selected;
}

/**
 * tessera_cert_list_dup_selected_entries:
 * @self: a #TesseraCertList
 *
 * Returns: (transfer full) (element-type TesseraCertEntry): the selected
 *   certificates, in the order the list shows them
 */
GPtrArray *
tessera_cert_list_dup_selected_entries (TesseraCertList *self)
{
  g_autoptr(GtkBitset) bitset = NULL;
  GtkBitsetIter iter;
  GPtrArray *entries;
  guint position;

  g_return_val_if_fail (TESSERA_IS_CERT_LIST (self), NULL);

  entries = g_ptr_array_new_with_free_func (g_object_unref);
  bitset = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean more = gtk_bitset_iter_init_first (&iter, bitset, &position);
       more;
       more = gtk_bitset_iter_next (&iter, &position))
    g_ptr_array_add (entries, g_list_model_get_item (G_LIST_MODEL (self->selection), position));
  return entries;
}

/* GTK 4.8's GtkColumnView cannot scroll to a row itself; its inner list
 * view has the action that does. */
static void
scroll_to_position (TesseraCertList *self,
                    guint            position)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_VIEW (child))
        {
          gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
          return;
        }
    }
}

/**
 * tessera_cert_list_select_fingerprint:
 * @self: a #TesseraCertList
 * @fingerprint: the SHA-256 fingerprint (lowercase hex) of a listed certificate
 *
 * Selects that certificate alone and scrolls to it.
 *
 * Returns: %TRUE when it is listed
 */
gboolean
tessera_cert_list_select_fingerprint (TesseraCertList *self,
                                      const char      *fingerprint)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint n_items;

  g_return_val_if_fail (TESSERA_IS_CERT_LIST (self), FALSE);
  g_return_val_if_fail (fingerprint != NULL, FALSE);

  n_items = g_list_model_get_n_items (model);
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (model, i);

      if (g_strcmp0 (tessera_cert_entry_get_fingerprint (entry), fingerprint) == 0)
        {
          gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, TRUE);
          scroll_to_position (self, i);
          return TRUE;
        }
    }
  return FALSE;
}

void
tessera_cert_list_unselect (TesseraCertList *self)
{
  g_return_if_fail (TESSERA_IS_CERT_LIST (self));

  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
}
