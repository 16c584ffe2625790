import Testing

@testable import Lists

/// Samples as Mailman 3.3.8 (Debian 12) answers them: GET /3.1/lists/dept.example.org/config
/// after PATCHing non-default settings, and its rosters (entries with the member's
/// `delivery_status` preference merged in, as interop/test_lists_import.py does).
enum Mailman3Samples {
    static let config = #"""
        {
         "acceptable_aliases": [],
         "accept_these_nonmembers": [
          "^.*@partner\\.example$"
         ],
         "admin_immed_notify": true,
         "admin_notify_mchanges": false,
         "administrivia": false,
         "advertised": false,
         "allow_list_posts": false,
         "anonymous_list": false,
         "archive_policy": "never",
         "archive_rendering_mode": "text",
         "autorespond_owner": "none",
         "autorespond_postings": "none",
         "autorespond_requests": "none",
         "autoresponse_grace_period": "90d",
         "autoresponse_owner_text": "",
         "autoresponse_postings_text": "",
         "autoresponse_request_text": "",
         "bounces_address": "dept-bounces@example.org",
         "bounce_info_stale_after": "7d",
         "bounce_notify_owner_on_bounce_increment": false,
         "bounce_notify_owner_on_disable": true,
         "bounce_notify_owner_on_removal": true,
         "bounce_score_threshold": 7,
         "bounce_you_are_disabled_warnings": 2,
         "bounce_you_are_disabled_warnings_interval": "7d",
         "collapse_alternatives": true,
         "convert_html_to_plaintext": false,
         "created_at": "2026-12-05T16:19:19.231390",
         "default_member_action": "hold",
         "default_nonmember_action": "reject",
         "description": "News of the department",
         "digest_last_sent_at": null,
         "digest_send_periodic": false,
         "digest_size_threshold": 12.5,
         "digest_volume_frequency": "weekly",
         "digests_enabled": true,
         "display_name": "Dept News",
         "discard_these_nonmembers": [],
         "dmarc_mitigate_action": "wrap_message",
         "dmarc_mitigate_unconditionally": true,
         "dmarc_moderation_notice": "",
         "dmarc_wrapped_message_text": "",
         "emergency": true,
         "filter_action": "discard",
         "filter_content": false,
         "filter_extensions": [],
         "filter_types": [],
         "first_strip_reply_to": false,
         "forward_unrecognized_bounces_to": "administrators",
         "fqdn_listname": "dept@example.org",
         "gateway_to_mail": false,
         "gateway_to_news": false,
         "hold_these_nonmembers": [],
         "include_rfc2369_headers": true,
         "info": "",
         "join_address": "dept-join@example.org",
         "last_post_at": null,
         "leave_address": "dept-leave@example.org",
         "linked_newsgroup": "",
         "list_name": "dept",
         "mail_host": "example.org",
         "max_message_size": 100,
         "max_num_recipients": 5,
         "max_days_to_hold": 0,
         "member_roster_visibility": "moderators",
         "moderator_password": null,
         "newsgroup_moderation": "none",
         "next_digest_number": 1,
         "nntp_prefix_subject_too": true,
         "no_reply_address": "noreply@example.org",
         "owner_address": "dept-owner@example.org",
         "pass_types": [],
         "pass_extensions": [],
         "personalize": "none",
         "post_id": 1,
         "posting_address": "dept@example.org",
         "posting_pipeline": "default-posting-pipeline",
         "preferred_language": "en",
         "process_bounces": true,
         "reject_these_nonmembers": [],
         "reply_goes_to_list": "explicit_header",
         "reply_to_address": "talk@example.org",
         "request_address": "dept-request@example.org",
         "require_explicit_destination": false,
         "respond_to_post_requests": true,
         "send_goodbye_message": true,
         "send_welcome_message": true,
         "subject_prefix": "[dept %d] ",
         "subscription_policy": "confirm_then_moderate",
         "unsubscription_policy": "open",
         "usenet_watermark": null,
         "volume": 1,
         "http_etag": "\"7cd9f13cdb2f2a30d88b408976d9247549a53c6c\""
        }
        """#

    static let members = #"""
        {
         "start": 0,
         "total_size": 2,
         "entries": [
          {
           "address": "http://127.0.0.1:45199/3.1/addresses/ann@a.example",
           "bounce_score": 0,
           "last_warning_sent": "0001-01-01T00:00:00",
           "total_warnings_sent": 0,
           "delivery_mode": "mime_digests",
           "email": "ann@a.example",
           "list_id": "dept.example.org",
           "subscription_mode": "as_address",
           "role": "member",
           "user": "http://127.0.0.1:45199/3.1/users/2c6bc6dbbe6e4e6ba4236e6deafb1e32",
           "display_name": "Ann A",
           "self_link": "http://127.0.0.1:45199/3.1/members/d842eb942798400eb39003717b07b9df",
           "member_id": "d842eb942798400eb39003717b07b9df",
           "http_etag": "\"5730f2d1a9262730de8785910c3f52484766d694\"",
           "delivery_status": "by_user"
          },
          {
           "address": "http://127.0.0.1:45199/3.1/addresses/bob@b.example",
           "bounce_score": 0,
           "last_warning_sent": "0001-01-01T00:00:00",
           "total_warnings_sent": 0,
           "delivery_mode": "plaintext_digests",
           "email": "bob@b.example",
           "list_id": "dept.example.org",
           "subscription_mode": "as_address",
           "role": "member",
           "user": "http://127.0.0.1:45199/3.1/users/01037218a8354c2ba049d200e25eed46",
           "display_name": "",
           "self_link": "http://127.0.0.1:45199/3.1/members/b5456f8bd4f44ea08ed322d6fdbaa3d3",
           "member_id": "b5456f8bd4f44ea08ed322d6fdbaa3d3",
           "http_etag": "\"28d28e52309fc3c013f2310c0e96045168cee8ea\"",
           "moderation_action": "hold"
          },
          {
           "address": "http://127.0.0.1:45199/3.1/addresses/bob@b.example",
           "bounce_score": 0,
           "last_warning_sent": "0001-01-01T00:00:00",
           "total_warnings_sent": 0,
           "delivery_mode": "regular",
           "email": "cy@c.example",
           "list_id": "dept.example.org",
           "subscription_mode": "as_address",
           "role": "member",
           "user": "http://127.0.0.1:45199/3.1/users/01037218a8354c2ba049d200e25eed46",
           "display_name": "Cy",
           "self_link": "http://127.0.0.1:45199/3.1/members/b5456f8bd4f44ea08ed322d6fdbaa3d3",
           "member_id": "b5456f8bd4f44ea08ed322d6fdbaa3d3",
           "http_etag": "\"28d28e52309fc3c013f2310c0e96045168cee8ea\"",
           "moderation_action": "defer",
           "delivery_status": "by_bounces"
          },
          {
           "address": "http://127.0.0.1:45199/3.1/addresses/bob@b.example",
           "bounce_score": 0,
           "last_warning_sent": "0001-01-01T00:00:00",
           "total_warnings_sent": 0,
           "delivery_mode": "plaintext_digests",
           "email": "nm@n.example",
           "list_id": "dept.example.org",
           "subscription_mode": "as_address",
           "role": "nonmember",
           "user": "http://127.0.0.1:45199/3.1/users/01037218a8354c2ba049d200e25eed46",
           "display_name": "",
           "self_link": "http://127.0.0.1:45199/3.1/members/b5456f8bd4f44ea08ed322d6fdbaa3d3",
           "member_id": "b5456f8bd4f44ea08ed322d6fdbaa3d3",
           "http_etag": "\"28d28e52309fc3c013f2310c0e96045168cee8ea\"",
           "moderation_action": "hold"
          }
         ],
         "http_etag": "\"3d0f59479e7444b15a921bbada3d2b3f100712d6\""
        }
        """#

    static let owners = #"""
        {
         "start": 0,
         "total_size": 1,
         "entries": [
          {
           "address": "http://127.0.0.1:45199/3.1/addresses/own@example.org",
           "bounce_score": 0,
           "last_warning_sent": "0001-01-01T00:00:00",
           "total_warnings_sent": 0,
           "delivery_mode": "regular",
           "email": "own@example.org",
           "list_id": "dept.example.org",
           "subscription_mode": "as_address",
           "role": "owner",
           "user": "http://127.0.0.1:45199/3.1/users/91544839a3aa4b1c907bccf4a70c71db",
           "moderation_action": "accept",
           "display_name": "Own Er",
           "self_link": "http://127.0.0.1:45199/3.1/members/b29de4f3577e41008b4d903e17d50036",
           "member_id": "b29de4f3577e41008b4d903e17d50036",
           "http_etag": "\"b16cc20ac878d21a6fab385ba54f08df88579174\""
          }
         ],
         "http_etag": "\"4146caec0c049c8a45b3acc5cd10de27b9f1947a\""
        }
        """#
}
