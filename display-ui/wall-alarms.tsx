/**
 * The data wall's alarm band (issue 13): the supervisor's alarms, in the header, in words —
 * a series waiting too long, a counter paused too long, one idle while its series wait. The
 * wall's alarms come without names (the wall is a public screen).
 */
import type { Alarm } from "../server/src/contract/alarms.ts";
import type { Catalogue } from "../server/src/contract/catalogue.ts";
import { alarmText } from "../ui-shared/alarms.ts";
import type { Lang } from "../ui-shared/i18n.ts";

const BAND = { zh: "告警 {n}", en: "Alarms {n}" };

export function AlarmBand({ alarms, cat, now, lang }: { alarms: readonly Alarm[]; cat: Catalogue; now: number; lang: Lang }) {
  if (alarms.length === 0) return null;
  return (
    <div class="wall-alarms" role="status" data-testid="wall-alarms">
      <b>{BAND[lang].replace("{n}", String(alarms.length))}</b>
      <ul>
        {alarms.map((a) => (
          <li key={a.id} data-alarm={a.id} data-kind={a.kind}>
            {alarmText(a, cat, now, lang)}
          </li>
        ))}
      </ul>
    </div>
  );
}
