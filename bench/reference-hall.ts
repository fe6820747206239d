/**
 * The reference hall's scale as a benchmark hall (shared/context/reference-hall.md: the
 * Pingyuan County citizen service center): 47 departments, 1,410 matters, 150 counters,
 * 20 kiosks. The demo hall (20 departments, 108 matters, 45 counters) is seeded by a
 * first start, then grown with the county bureaus that moved into the hall, matters made
 * of each bureau's subject and the usual procedures (许可、变更、延续、注销、备案 …) with
 * 3–6 required materials each, and counters 46…150 with their LED display, keypad and
 * rating device. The result passes `validateConfig`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHub } from "../server/src/app.ts";
import type { Department, Matter } from "../server/src/contract/catalogue.ts";
import { type ConfigData, validateConfig } from "../server/src/store/config.ts";
import { ADMIN_PASSWORD, counterDevices } from "./lib.ts";

export const REFERENCE = { departments: 47, matters: 1410, counters: 150, kiosks: 20 } as const;

/** County bureaus of the reference hall beyond the demo's 20, with the subject their matters are about. */
const BUREAUS: [name: string, nameEn: string, subject: string, subjectEn: string][] = [
  ["教育和体育局", "Education and Sports Bureau", "民办学校", "Private School"],
  ["民政局", "Civil Affairs Bureau", "社会组织", "Social Organisation"],
  ["司法局", "Justice Bureau", "法律援助", "Legal Aid"],
  ["财政局", "Finance Bureau", "政府采购", "Government Procurement"],
  ["交通运输局", "Transport Bureau", "道路运输经营", "Road Transport Operation"],
  ["水利局", "Water Resources Bureau", "取水", "Water Abstraction"],
  ["农业农村局", "Agriculture and Rural Affairs Bureau", "农药经营", "Pesticide Trading"],
  ["卫生健康局", "Health Commission", "医疗机构执业", "Medical Institution Practice"],
  ["退役军人事务局", "Veterans Affairs Bureau", "优抚对象", "Entitled Veteran"],
  ["应急管理局", "Emergency Management Bureau", "危险化学品经营", "Hazardous Chemicals Trading"],
  ["文化和旅游局", "Culture and Tourism Bureau", "营业性演出", "Commercial Performance"],
  ["商务局", "Commerce Bureau", "对外贸易经营者", "Foreign Trade Operator"],
  ["发展和改革局", "Development and Reform Bureau", "固定资产投资项目", "Fixed-Asset Investment Project"],
  ["生态环境分局", "Ecology and Environment Branch", "排污", "Pollutant Discharge"],
  ["综合行政执法局", "Comprehensive Law Enforcement Bureau", "城市道路占用", "Urban Road Occupation"],
  ["气象局", "Meteorological Bureau", "防雷装置", "Lightning Protection"],
  ["烟草专卖局", "Tobacco Monopoly Bureau", "烟草专卖零售", "Tobacco Retail"],
  ["残疾人联合会", "Disabled Persons' Federation", "残疾人证", "Disability Certificate"],
  ["科学技术局", "Science and Technology Bureau", "科技型中小企业", "Tech-Based SME"],
  ["档案馆", "County Archives", "档案", "Archive"],
  ["统计局", "Statistics Bureau", "统计调查项目", "Statistical Survey"],
  ["人民防空办公室", "Civil Air Defence Office", "人防工程", "Civil Air Defence Works"],
  ["工业和信息化局", "Industry and Information Technology Bureau", "无线电台", "Radio Station"],
  ["住房保障服务中心", "Housing Security Service Center", "公共租赁住房", "Public Rental Housing"],
  ["公证处", "Notary Office", "公证", "Notarisation"],
  ["燃气公司", "Gas Company", "燃气开户", "Gas Account"],
  ["广电网络公司", "Cable TV Network Company", "有线电视", "Cable TV"],
];

const PROCEDURES: [string, string][] = [
  ["许可", "Licence"],
  ["许可变更", "Licence Change"],
  ["许可延续", "Licence Renewal"],
  ["许可注销", "Licence Cancellation"],
  ["备案", "Filing"],
  ["变更备案", "Change Filing"],
  ["资格认定", "Qualification Recognition"],
  ["证明开具", "Certificate Issuing"],
  ["证件补办", "Certificate Replacement"],
  ["年度报告", "Annual Report"],
  ["信息查询", "Information Enquiry"],
  ["补贴申领", "Subsidy Application"],
  ["奖励申报", "Award Application"],
  ["核准", "Approval"],
  ["竣工验收备案", "Completion Acceptance Filing"],
  ["登记", "Registration"],
  ["变更登记", "Change of Registration"],
  ["注销登记", "Deregistration"],
  ["审核转报", "Review and Referral"],
  ["检查结果告知", "Inspection Result Notice"],
  ["投诉受理", "Complaint Acceptance"],
  ["政策咨询", "Policy Consultation"],
  ["材料预审", "Document Pre-check"],
  ["联合审验", "Joint Review"],
  ["现场核查", "On-site Verification"],
  ["承诺制办理", "Commitment-Based Handling"],
  ["容缺受理", "Acceptance Pending Documents"],
  ["延期申请", "Extension Application"],
  ["撤回申请", "Withdrawal Application"],
  ["复核", "Re-examination"],
];

const MATERIALS: [string, string][] = [
  ["申请表（原件）", "Application form (original)"],
  ["申请人身份证原件及复印件", "Applicant's ID card, original and copy"],
  ["营业执照副本复印件", "Copy of the business licence"],
  ["授权委托书及受托人身份证", "Power of attorney and the agent's ID card"],
  ["经营场所使用证明", "Proof of use of the premises"],
  ["相关资质证明材料", "Supporting qualification documents"],
  ["法定代表人身份证明", "Proof of the legal representative's identity"],
  ["告知承诺书", "Notification and commitment letter"],
  ["场所平面布置图", "Floor plan of the premises"],
  ["近期一寸免冠照片两张", "Two recent one-inch photos"],
];

/** Zone of each demo queue's department zone: the queue a bureau's matters go to. */
const QUEUE_OF_ZONE: Record<string, string> = {
  z1: "q-a",
  z2: "q-b",
  z3: "q-c",
  z4: "q-d",
  z5: "q-f",
  z6: "q-j",
  z7: "q-k",
};

/** Grow a seeded demo config to the reference scale (in place). */
export function growToReference(data: ConfigData): void {
  const cat = data.catalogue;
  const zones = cat.zones.map((z) => z.id);
  BUREAUS.forEach(([name, nameEn], i) => {
    cat.departments.push({
      id: `d-ref${String(i + 1).padStart(2, "0")}`,
      name,
      nameEn,
      zoneId: zones[i % zones.length] as string,
    });
  });
  if (cat.departments.length !== REFERENCE.departments) throw new Error(`${cat.departments.length} departments`);
  const subjectOf = (d: Department): [string, string] => {
    const b = BUREAUS.find(([n]) => n === d.name);
    // A demo department's subject: its own name without the bureau's parenthesised part.
    return b ? [b[2], b[3]] : [d.name.replace(/（.*）/, ""), d.nameEn.replace(/ \(.*\)/, "")];
  };
  for (let i = 0; cat.matters.length < REFERENCE.matters; i++) {
    const d = cat.departments[i % cat.departments.length] as Department;
    const [subject, subjectEn] = subjectOf(d);
    const [proc, procEn] = PROCEDURES[Math.floor(i / cat.departments.length) % PROCEDURES.length] as [string, string];
    const k = 3 + (i % 4);
    const mats = Array.from({ length: k }, (_, j) => MATERIALS[(i + j * 3) % MATERIALS.length] as [string, string]);
    const matter: Matter = {
      id: `m-r${String(i + 1).padStart(4, "0")}`,
      name: `${subject}${proc}`.slice(0, 40),
      nameEn: `${subjectEn} – ${procEn}`.slice(0, 120),
      departmentId: d.id,
      queueId: QUEUE_OF_ZONE[d.zoneId] ?? "q-a",
      materials: mats.map((m) => m[0]),
      materialsEn: mats.map((m) => m[1]),
      legalDays: [0, 5, 10, 20][i % 4] as number,
      promisedDays: [0, 1, 3, 5][i % 4] as number,
      feeYuan: 0,
    };
    cat.matters.push(matter);
  }
  const template = cat.counters[0];
  if (!template) throw new Error("the demo hall has no counters");
  const queues = Object.values(QUEUE_OF_ZONE);
  for (let n = cat.counters.length + 1; n <= REFERENCE.counters; n++) {
    const id = `c${String(n).padStart(2, "0")}`;
    const queueId = queues[n % queues.length] as string;
    const zoneId = cat.queues.find((q) => q.id === queueId)?.zoneId as string;
    cat.counters.push({
      ...template,
      id,
      number: n,
      name: `${n}号窗口`,
      nameEn: `Window ${n}`,
      zoneId,
      kind: "standard",
      profile: { queueIds: [queueId], weights: { green: 1, appointment: 1, normal: 2 } },
    });
    data.devices.push(...counterDevices(id, n));
  }
  for (let k = 5; k <= REFERENCE.kiosks; k++) {
    const assignment = { kind: "kiosk", kioskId: `k${k}` } as const;
    data.devices.push(
      {
        id: `printer-k${k}`,
        kind: "printer",
        name: `${k}号自助取号机 热敏打印机`,
        transport: { type: "sim" },
        assignment,
        options: { paperWidthMm: 80 },
      },
      { id: `idreader-k${k}`, kind: "idreader", name: `${k}号自助取号机 身份证阅读器`, transport: { type: "sim" }, assignment },
      { id: `scanner-k${k}`, kind: "scanner", name: `${k}号自助取号机 扫码器`, transport: { type: "sim" }, assignment },
    );
  }
}

/** A data folder with the demo hall (`scale: "demo"`) or the reference-scale hall, seeded by a first start. */
export async function prepareHall(scale: "demo" | "reference"): Promise<{ dataDir: string; cleanup(): void }> {
  const dataDir = mkdtempSync(join(tmpdir(), `ov-bench-${scale}-`));
  const hub = await startHub({ port: 0, host: "127.0.0.1", dataDir, adminPassword: ADMIN_PASSWORD, log: () => {} });
  await hub.close();
  if (scale === "reference") {
    const file = join(dataDir, "config.json");
    const data = JSON.parse(readFileSync(file, "utf8")) as ConfigData;
    growToReference(data);
    const problems = validateConfig(data);
    if (problems.length) throw new Error(`reference hall config is invalid:\n${problems.slice(0, 10).join("\n")}`);
    writeFileSync(file, JSON.stringify(data, null, 2));
  }
  return { dataDir, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}
