"""`till-server intel ...`: recompute, store zones, HQ segments, one member's view.

    till-server intel recompute [--full] [--as-of 2026-12-01T03:00:00+08:00]
    till-server intel zone S001 Asia/Shanghai
    till-server intel segment add ID --name NAME --rule '{"r_min": 4, "tiers": ["gold"]}'
    till-server intel segment list | remove ID
    till-server intel member MEMBER_ID          # scores, tags, suggestions as JSON
    till-server intel campaign add ID --file campaign.json | run | report ID | list
    till-server intel coupons batch ID --file batch.json     # prints the printable codes

Nightly: run `till-server intel recompute` from cron or a systemd timer (e.g. 03:00 in the
stores' zone); `--full` weekly rebuilds every table from the core tables.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from server.settings import ServerSettings


def _session(settings: ServerSettings) -> Session:
    from server.db import Database

    return Database(settings).sessions()


def _config() -> Any:
    from server.intel.config import IntelConfig

    try:
        return IntelConfig()
    except ValidationError as exc:
        for err in exc.errors():
            print(f"error: LT_INTEL_{str(err['loc'][0]).upper()}: {err['msg']}", file=sys.stderr)
        return None


def cmd_recompute(settings: ServerSettings, args: argparse.Namespace) -> int:
    from server.intel.recompute import IntelBusy, IntelUnsupported, recompute

    cfg = _config()
    if cfg is None:
        return 2
    as_of = None
    if args.as_of:
        try:
            as_of = datetime.fromisoformat(args.as_of)
        except ValueError:
            print(f"error: --as-of {args.as_of!r} is not an ISO time", file=sys.stderr)
            return 2
    with _session(settings) as s:
        try:
            result = recompute(s, cfg, full=args.full, as_of=as_of)
        except (IntelBusy, IntelUnsupported, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        from server.intel_pull import publish_member_intel  # to the members' tills

        publish_member_intel(s, cfg, datetime.now(UTC), full=args.full)
        s.commit()
    print(json.dumps(result.as_json()))
    return 0


def cmd_zone(settings: ServerSettings, args: argparse.Namespace) -> int:
    from server.intel.service import ZoneError, set_zone

    with _session(settings) as s:
        try:
            set_zone(s, args.store_id, args.tz)
        except ZoneError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        s.commit()
    print(f"store {args.store_id}: time zone {args.tz}")
    return 0


def cmd_segment(settings: ServerSettings, args: argparse.Namespace) -> int:
    from server.intel import service

    with _session(settings) as s:
        if args.segment_command == "list":
            for seg in service.list_segments(s):
                print(json.dumps(seg, ensure_ascii=False))
            return 0
        if args.segment_command == "remove":
            if not service.remove_segment(s, args.segment_id):
                print(f"error: no segment {args.segment_id}", file=sys.stderr)
                return 2
            s.commit()
            print(f"segment {args.segment_id} removed (members leave it at the next recompute)")
            return 0
        try:
            rule = json.loads(args.rule)
            seg = service.save_segment(s, args.segment_id, args.name, rule)
        except (ValueError, service.SegmentError) as exc:
            print(f"error: --rule: {exc}", file=sys.stderr)
            return 2
        s.commit()
    print(json.dumps(seg, ensure_ascii=False))
    return 0


def cmd_member(settings: ServerSettings, args: argparse.Namespace) -> int:
    from server.intel import service

    try:
        member_id = uuid.UUID(args.member_id)
    except ValueError:
        print("error: not a member id (a UUID)", file=sys.stderr)
        return 2
    cfg = _config()
    if cfg is None:
        return 2
    with _session(settings) as s:
        view = service.member_view(s, cfg, member_id)
    if view is None:
        print(
            "error: no scores for this member (unknown, or no recompute since it registered)", file=sys.stderr
        )
        return 2
    print(json.dumps(view, ensure_ascii=False))
    return 0


def _json_file(path: str) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def cmd_campaign(settings: ServerSettings, args: argparse.Namespace) -> int:
    from server.intel.campaign_report import campaign_report
    from server.intel.campaign_routes import campaign_json
    from server.intel.campaigns import CampaignIn, run_campaigns, save_campaign
    from server.intel.models import IntelCampaign

    cfg = _config()
    if cfg is None:
        return 2
    with _session(settings) as s:
        if args.campaign_command == "add":
            try:
                c = save_campaign(s, args.campaign_id, CampaignIn.model_validate(_json_file(args.file)))
            except (OSError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
                print(f"error: {args.file}: {str(exc)[:500]}", file=sys.stderr)
                return 2
            s.commit()
            print(json.dumps(campaign_json(c), ensure_ascii=False))
        elif args.campaign_command == "run":
            for r in run_campaigns(s, cfg):
                print(f"{r.campaign_id}\tissued {r.issued}\theld out {r.held_out}")
            s.commit()
        elif args.campaign_command == "report":
            found = s.get(IntelCampaign, args.campaign_id)
            if found is None:
                print(f"error: no campaign {args.campaign_id}", file=sys.stderr)
                return 2
            print(json.dumps(campaign_report(s, found), ensure_ascii=False))
        else:
            for row in s.query(IntelCampaign).order_by(IntelCampaign.id):
                print(json.dumps(campaign_json(row), ensure_ascii=False))
    return 0


def cmd_batch(settings: ServerSettings, args: argparse.Namespace) -> int:
    from server.intel.batches import BatchIn, issue_batch

    with _session(settings) as s:
        try:
            codes = issue_batch(s, args.batch_id, BatchIn.model_validate(_json_file(args.file)))
        except (OSError, ValueError) as exc:
            print(f"error: {args.file}: {str(exc)[:500]}", file=sys.stderr)
            return 2
        s.commit()
    print("\n".join(codes))
    return 0


def add_parser(sub: Any) -> None:
    intel = sub.add_parser("intel", help="member scores, segments, baskets, KPIs").add_subparsers(
        dest="intel_command", required=True
    )
    rc = intel.add_parser("recompute", help="bring scores, baskets and KPIs up to date")
    rc.add_argument("--full", action="store_true", help="rebuild everything from the core tables")
    rc.add_argument("--as-of", help="compute as of this time (ISO, with zone); default now")
    rc.set_defaults(func=cmd_recompute)
    zone = intel.add_parser("zone", help="a store's time zone (stores.timezone)")
    zone.add_argument("store_id")
    zone.add_argument("tz", help="IANA zone, e.g. Asia/Shanghai")
    zone.set_defaults(func=cmd_zone)
    seg = intel.add_parser("segment", help="HQ's rule segments").add_subparsers(
        dest="segment_command", required=True
    )
    add = seg.add_parser("add", help="add or replace a segment")
    add.add_argument("segment_id")
    add.add_argument("--name", required=True)
    add.add_argument("--rule", required=True, help="JSON rule (server/intel/segments.py)")
    add.set_defaults(func=cmd_segment)
    seg.add_parser("list").set_defaults(func=cmd_segment)
    rm = seg.add_parser("remove")
    rm.add_argument("segment_id")
    rm.set_defaults(func=cmd_segment)
    member = intel.add_parser("member", help="one member's scores, tags and suggestions (JSON)")
    member.add_argument("member_id")
    member.set_defaults(func=cmd_member)
    camp = intel.add_parser("campaign", help="campaigns the server runs").add_subparsers(
        dest="campaign_command", required=True
    )
    cadd = camp.add_parser("add", help="add or replace a campaign from a JSON file (server/README.md)")
    cadd.add_argument("campaign_id")
    cadd.add_argument("--file", required=True)
    cadd.set_defaults(func=cmd_campaign)
    camp.add_parser("run", help="issue what every active campaign owes now").set_defaults(func=cmd_campaign)
    crep = camp.add_parser("report", help="issued, redeemed, uplift against the control group, ROI")
    crep.add_argument("campaign_id")
    crep.set_defaults(func=cmd_campaign)
    camp.add_parser("list").set_defaults(func=cmd_campaign)
    coupons = intel.add_parser("coupons", help="bearer coupon batches").add_subparsers(
        dest="coupons_command", required=True
    )
    batch = coupons.add_parser("batch", help="issue a batch of printable bearer codes (JSON file)")
    batch.add_argument("batch_id")
    batch.add_argument("--file", required=True)
    batch.set_defaults(func=cmd_batch)
