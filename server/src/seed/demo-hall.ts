/**
 * The demo hall: a catalogue modeled on the Pingyuan County Citizen Service Center
 * (平原县市民服务中心, see shared/context/reference-hall.md), its demo staff and simulated
 * devices. Every call builds fresh objects, so callers may mutate what they get.
 *
 * Issuing hours: most queues issue all day (00:00–23:59) so the demo and the tests can
 * take a ticket at any hour; only H 车管 and J 公共资源交易 keep realistic office hours
 * (08:30–11:30, 13:30–17:00) to show restricted series.
 */
import type {
  Catalogue,
  Counter,
  CounterKind,
  Department,
  IssuingWindow,
  Matter,
  PriorityClass,
  Queue,
  Role,
  Zone,
} from "../contract/catalogue.ts";
import type { DeviceConfig } from "../contract/devices.ts";
import { demoSynonyms } from "./synonyms.ts";

/** A demo staff member; the hub generates the passwords. */
export interface DemoStaff {
  username: string;
  name: string;
  role: Role;
  counterId?: string;
  /** Approvers: their department. */
  departmentId?: string;
}

function allDay(): IssuingWindow[] {
  return [{ from: "00:00", to: "23:59" }];
}

function officeHours(): IssuingWindow[] {
  return [
    { from: "08:30", to: "11:30" },
    { from: "13:30", to: "17:00" },
  ];
}

function zones(): Zone[] {
  return [
    { id: "z1", name: "综合受理区", nameEn: "One-Window Acceptance Area", floor: "1F" },
    { id: "z2", name: "不动产登记区", nameEn: "Real Estate Registration Area", floor: "1F" },
    { id: "z3", name: "纳税服务区", nameEn: "Tax Service Area", floor: "1F" },
    { id: "z4", name: "社保医保公积金区", nameEn: "Social Insurance, Medical Insurance & Housing Fund Area", floor: "2F" },
    { id: "z5", name: "公安业务区", nameEn: "Public Security Area", floor: "2F" },
    { id: "z6", name: "公共资源交易区", nameEn: "Public Resource Trading Area", floor: "3F" },
    { id: "z7", name: "帮办代办及便民服务区", nameEn: "Help Desk, Certificates & Utilities Area", floor: "1F" },
  ];
}

function departments(): Department[] {
  const d = (id: string, name: string, nameEn: string, zoneId: string): Department => ({ id, name, nameEn, zoneId });
  return [
    // The approval bureau's four sections took over 155 licensing matters from 28 departments.
    d("d-build", "行政审批服务局建设项目科", "Administrative Approval Bureau – Construction Projects Section", "z1"),
    d("d-market", "行政审批服务局市场准入科", "Administrative Approval Bureau – Market Access Section", "z1"),
    d("d-agri", "行政审批服务局农林水事务科", "Administrative Approval Bureau – Agriculture, Forestry & Water Section", "z1"),
    d("d-social", "行政审批服务局社会事务科", "Administrative Approval Bureau – Social Affairs Section", "z1"),
    d("d-samr", "市场监督管理局", "Market Supervision Administration", "z1"),
    d("d-natres", "自然资源局", "Natural Resources Bureau", "z2"),
    d("d-rec", "不动产登记中心", "Real Estate Registration Center", "z2"),
    d("d-housing", "住房和城乡建设局", "Housing and Urban-Rural Development Bureau", "z2"),
    d("d-tax", "税务局（纳税服务）", "Tax Bureau (Taxpayer Services)", "z3"),
    d("d-hrss", "人力资源和社会保障局（社保服务）", "Human Resources and Social Security Bureau", "z4"),
    d("d-medical", "医疗保障局", "Healthcare Security Bureau", "z4"),
    d("d-fund", "住房公积金管理中心", "Housing Provident Fund Management Center", "z4"),
    d("d-hukou", "公安局（户政）", "Public Security Bureau – Household Registration", "z5"),
    d("d-exit", "公安局（出入境）", "Public Security Bureau – Exit and Entry", "z5"),
    d("d-vehicle", "公安局（车管）", "Public Security Bureau – Vehicle Administration", "z5"),
    d("d-trade", "公共资源交易中心", "Public Resource Trading Center", "z6"),
    d("d-hall", "市民服务中心管理办公室", "Citizen Service Center Office", "z7"),
    d("d-post", "邮政速递（EMS）", "China Post EMS", "z7"),
    d("d-power", "供电公司", "Power Supply Company", "z7"),
    d("d-water", "自来水公司", "Water Supply Company", "z7"),
  ];
}

function queues(): Queue[] {
  const q = (
    id: string,
    prefix: string,
    name: string,
    nameEn: string,
    zoneId: string,
    dailyCap: number,
    hours: IssuingWindow[],
    defaultServiceSec: number,
    waitAlarmMin: number,
  ): Queue => ({ id, prefix, name, nameEn, zoneId, dailyCap, hours, defaultServiceSec, waitAlarmMin });
  return [
    q("q-a", "A", "综合受理", "One-Window Acceptance", "z1", 999, allDay(), 600, 30),
    q("q-b", "B", "不动产登记", "Real Estate Registration", "z2", 500, allDay(), 900, 40),
    q("q-c", "C", "税务", "Tax", "z3", 500, allDay(), 480, 30),
    q("q-d", "D", "社保医保", "Social & Medical Insurance", "z4", 500, allDay(), 420, 30),
    q("q-e", "E", "公积金", "Housing Provident Fund", "z4", 300, allDay(), 600, 30),
    q("q-f", "F", "公安户政", "Household Registration & ID Cards", "z5", 300, allDay(), 360, 20),
    q("q-g", "G", "出入境", "Exit and Entry", "z5", 300, allDay(), 480, 30),
    q("q-h", "H", "车管", "Vehicle Administration", "z5", 300, officeHours(), 600, 30),
    q("q-j", "J", "公共资源交易", "Public Resource Trading", "z6", 300, officeHours(), 900, 40),
    q("q-k", "K", "帮办代办", "Help & Agency Service", "z7", 300, allDay(), 900, 40),
    q("q-l", "L", "统一出证", "Certificate Issuing", "z7", 999, allDay(), 300, 20),
    q("q-m", "M", "水电气便民服务", "Utilities Service", "z7", 300, allDay(), 420, 30),
  ];
}

type MatterRow = [
  id: string,
  name: string,
  nameEn: string,
  materials: string[],
  legalDays: number,
  promisedDays: number,
  feeYuan: number,
];

/** Matters grouped by department and the ticket series that takes them. */
const MATTER_GROUPS: { departmentId: string; queueId: string; rows: MatterRow[] }[] = [
  {
    departmentId: "d-market",
    queueId: "q-a",
    rows: [
      [
        "m-001",
        "企业设立登记",
        "Company establishment registration",
        ["公司登记（备案）申请书", "公司章程", "股东主体资格证明", "法定代表人身份证", "住所使用证明"],
        15,
        1,
        0,
      ],
      [
        "m-002",
        "企业变更登记",
        "Company change registration",
        ["公司变更登记申请书", "营业执照正副本", "股东会决议", "章程修正案", "法定代表人身份证"],
        15,
        1,
        0,
      ],
      [
        "m-003",
        "企业注销登记",
        "Company deregistration",
        ["公司注销登记申请书", "清算报告", "股东会决议", "营业执照正副本", "清税证明"],
        15,
        3,
        0,
      ],
      [
        "m-004",
        "个体工商户注册登记",
        "Sole proprietorship registration",
        ["个体工商户登记申请书", "经营者身份证", "经营场所使用证明"],
        15,
        0,
        0,
      ],
      [
        "m-005",
        "个体工商户变更登记",
        "Sole proprietorship change registration",
        ["个体工商户变更登记申请书", "营业执照正副本", "经营者身份证", "变更事项证明材料"],
        15,
        0,
        0,
      ],
      [
        "m-006",
        "农民专业合作社设立登记",
        "Farmers' cooperative establishment registration",
        ["农民专业合作社登记申请书", "设立大会纪要", "合作社章程", "成员名册及身份证明", "出资清单", "住所使用证明"],
        15,
        1,
        0,
      ],
      [
        "m-007",
        "食品经营许可",
        "Food business licence",
        ["食品经营许可申请书", "营业执照副本", "法定代表人身份证", "食品安全管理制度", "经营场所平面图及设备布局图"],
        20,
        5,
        0,
      ],
      [
        "m-008",
        "食品生产许可",
        "Food production licence",
        ["食品生产许可申请书", "营业执照副本", "生产场所及周围环境平面图", "主要生产设备设施清单", "食品安全管理制度"],
        20,
        10,
        0,
      ],
      [
        "m-009",
        "药品零售企业许可",
        "Retail pharmacy licence",
        ["药品经营许可证申请表", "营业执照副本", "执业药师注册证", "经营场所产权证明或租赁合同", "质量管理文件目录"],
        30,
        15,
        0,
      ],
      [
        "m-010",
        "第三类医疗器械经营许可",
        "Class III medical device trading licence",
        [
          "医疗器械经营许可申请表",
          "营业执照副本",
          "质量负责人身份证明及学历证明",
          "经营场所和库房产权证明",
          "质量管理制度文件目录",
        ],
        30,
        15,
        0,
      ],
      [
        "m-011",
        "道路货物运输经营许可",
        "Road freight transport licence",
        ["道路货物运输经营申请表", "营业执照副本", "负责人身份证", "驾驶员从业资格证", "安全生产管理制度文本"],
        20,
        5,
        0,
      ],
      [
        "m-012",
        "出版物零售经营许可",
        "Publication retail licence",
        ["出版物零售经营申请书", "营业执照副本", "经营场所使用证明", "法定代表人身份证"],
        20,
        5,
        0,
      ],
    ],
  },
  {
    departmentId: "d-build",
    queueId: "q-a",
    rows: [
      [
        "m-013",
        "企业投资项目备案",
        "Enterprise investment project filing",
        ["项目备案申请表", "营业执照副本", "法定代表人身份证", "项目情况说明"],
        3,
        1,
        0,
      ],
      [
        "m-014",
        "建设用地规划许可证核发",
        "Land use planning permit",
        ["建设用地规划许可申请表", "项目批准或备案文件", "国有土地使用权出让合同", "用地红线图", "法定代表人身份证"],
        20,
        5,
        0,
      ],
      [
        "m-015",
        "建设工程规划许可证核发",
        "Construction works planning permit",
        ["建设工程规划许可申请表", "不动产权证书", "设计方案总平面图", "建筑工程施工图", "建设用地规划许可证"],
        20,
        5,
        0,
      ],
      [
        "m-016",
        "建筑工程施工许可证核发",
        "Construction permit",
        ["建筑工程施工许可申请表", "建设工程规划许可证", "施工合同", "施工图审查合格书", "工程质量安全监督手续"],
        15,
        3,
        0,
      ],
      [
        "m-017",
        "房屋建筑工程竣工验收备案",
        "Completion acceptance filing for building works",
        ["竣工验收备案表", "工程竣工验收报告", "规划及消防验收意见", "工程质量保修书"],
        15,
        1,
        0,
      ],
      [
        "m-018",
        "建设项目环境影响报告表审批",
        "Environmental impact report approval",
        ["审批申请书", "环境影响报告表", "项目备案文件", "公众参与说明"],
        30,
        10,
        0,
      ],
      [
        "m-019",
        "城镇污水排入排水管网许可",
        "Urban sewage discharge permit",
        ["排水许可申请表", "营业执照副本", "内部排水管网平面图", "排水水质检测报告"],
        20,
        5,
        0,
      ],
      [
        "m-020",
        "商品房预售许可",
        "Pre-sale permit for commercial housing",
        ["商品房预售许可申请表", "营业执照及资质证书", "不动产权证书", "建设工程规划许可证和施工许可证", "预售方案"],
        10,
        5,
        0,
      ],
    ],
  },
  {
    departmentId: "d-agri",
    queueId: "q-a",
    rows: [
      [
        "m-021",
        "取水许可",
        "Water abstraction permit",
        ["取水许可申请书", "建设项目水资源论证报告", "营业执照副本", "取水工程平面图"],
        45,
        10,
        0,
      ],
      [
        "m-022",
        "农作物种子生产经营许可",
        "Crop seed production and trading licence",
        ["种子生产经营许可申请表", "营业执照副本", "检验仪器设备清单", "仓储设施产权证明", "种子检验人员资格证明"],
        20,
        10,
        0,
      ],
      [
        "m-023",
        "林木采伐许可证核发",
        "Tree felling permit",
        ["林木采伐申请表", "林权证或不动产权证书", "采伐作业设计", "申请人身份证"],
        20,
        3,
        0,
      ],
      [
        "m-024",
        "兽药经营许可证核发",
        "Veterinary drug trading licence",
        ["兽药经营许可申请表", "营业执照副本", "质量管理人员资格证明", "经营场所产权证明"],
        20,
        10,
        0,
      ],
      [
        "m-025",
        "动物防疫条件合格证核发",
        "Animal epidemic prevention certificate",
        ["动物防疫条件审查申请表", "场所地理位置图及平面布局图", "设施设备清单", "防疫管理制度文本", "法定代表人身份证"],
        20,
        10,
        0,
      ],
      [
        "m-026",
        "生产建设项目水土保持方案审批",
        "Soil and water conservation plan approval",
        ["审批申请书", "水土保持方案报告书", "项目立项文件"],
        20,
        10,
        0,
      ],
      [
        "m-027",
        "农药经营许可",
        "Pesticide trading licence",
        ["农药经营许可申请表", "营业执照副本", "经营人员专业教育证明", "经营及仓储场所证明", "管理制度文本"],
        20,
        10,
        0,
      ],
    ],
  },
  {
    departmentId: "d-social",
    queueId: "q-a",
    rows: [
      [
        "m-028",
        "民办学校设立审批",
        "Private school establishment approval",
        ["申办报告", "举办者资格证明", "拟任校长及教师资格证明", "校舍产权证明或租赁合同", "学校章程"],
        90,
        30,
        0,
      ],
      [
        "m-029",
        "医疗机构执业登记",
        "Medical institution practice registration",
        ["医疗机构执业登记申请书", "设置医疗机构批准书", "房屋产权证明或租赁合同", "医务人员执业证书", "规章制度"],
        45,
        15,
        0,
      ],
      [
        "m-030",
        "医师执业注册",
        "Physician practice registration",
        ["医师执业注册申请审核表", "医师资格证书", "身份证", "健康体检证明", "拟执业机构聘用证明"],
        20,
        5,
        0,
      ],
      [
        "m-031",
        "公共场所卫生许可",
        "Public place hygiene licence",
        ["公共场所卫生许可申请表", "营业执照副本", "法定代表人身份证", "卫生管理制度", "卫生检测报告"],
        20,
        3,
        0,
      ],
      [
        "m-032",
        "养老机构备案",
        "Elderly care institution filing",
        ["养老机构备案书", "营业执照或登记证书", "服务场所使用证明", "消防验收材料"],
        0,
        0,
        0,
      ],
      [
        "m-033",
        "社会团体成立登记",
        "Social organization registration",
        ["成立登记申请书", "章程草案", "验资报告", "负责人身份证", "住所使用证明"],
        60,
        15,
        0,
      ],
      [
        "m-034",
        "民办非企业单位成立登记",
        "Private non-enterprise unit registration",
        ["成立登记申请书", "单位章程", "验资报告", "拟任负责人身份证", "场所使用证明"],
        60,
        15,
        0,
      ],
      [
        "m-035",
        "人力资源服务许可",
        "Human resources service licence",
        ["人力资源服务许可申请书", "营业执照副本", "专职工作人员学历证明", "服务场所使用证明", "工作章程和管理制度"],
        20,
        5,
        0,
      ],
      [
        "m-036",
        "劳务派遣经营许可",
        "Labour dispatch licence",
        ["劳务派遣经营许可申请书", "营业执照副本", "注册资本验资证明", "经营场所使用证明", "劳务派遣协议样本"],
        20,
        5,
        0,
      ],
      [
        "m-037",
        "娱乐场所经营许可",
        "Entertainment venue licence",
        ["娱乐场所经营申请书", "营业执照副本", "法定代表人身份证", "场所平面图", "消防安全检查合格证明"],
        20,
        10,
        0,
      ],
    ],
  },
  {
    departmentId: "d-samr",
    queueId: "q-a",
    rows: [
      [
        "m-038",
        "特种设备使用登记",
        "Special equipment registration",
        ["特种设备使用登记表", "产品合格证", "监督检验证明", "使用单位营业执照副本"],
        15,
        1,
        0,
      ],
      [
        "m-039",
        "计量器具强制检定申请",
        "Mandatory verification of measuring instruments",
        ["强制检定申请书", "计量器具清单", "营业执照副本"],
        20,
        5,
        0,
      ],
      [
        "m-040",
        "股权出质登记",
        "Equity pledge registration",
        ["股权出质设立登记申请书", "质权合同", "出质人和质权人主体资格证明", "股权证明"],
        3,
        0,
        0,
      ],
    ],
  },
  {
    departmentId: "d-rec",
    queueId: "q-b",
    rows: [
      [
        "m-041",
        "国有建设用地使用权首次登记",
        "First registration of state-owned construction land use rights",
        ["不动产登记申请书", "申请人身份证明", "土地出让合同及价款缴纳凭证", "不动产权籍调查成果", "完税凭证"],
        30,
        5,
        550,
      ],
      [
        "m-042",
        "不动产转移登记（二手房买卖）",
        "Real estate transfer registration (resale)",
        ["不动产登记申请书", "买卖双方身份证", "不动产权证书", "存量房买卖合同", "完税凭证"],
        30,
        3,
        80,
      ],
      [
        "m-043",
        "不动产转移登记（新建商品房）",
        "Real estate transfer registration (new housing)",
        ["不动产登记申请书", "购房人身份证", "商品房买卖合同", "购房发票", "完税凭证"],
        30,
        3,
        80,
      ],
      [
        "m-044",
        "抵押登记",
        "Mortgage registration",
        ["不动产登记申请书", "抵押人和抵押权人身份证明", "不动产权证书", "主债权合同", "抵押合同"],
        30,
        1,
        80,
      ],
      [
        "m-045",
        "抵押注销登记",
        "Mortgage cancellation registration",
        ["不动产登记申请书", "不动产登记证明", "抵押权人同意注销证明", "申请人身份证明"],
        30,
        0,
        0,
      ],
      [
        "m-046",
        "不动产变更登记",
        "Real estate change registration",
        ["不动产登记申请书", "申请人身份证明", "不动产权证书", "变更证明材料"],
        30,
        1,
        0,
      ],
      [
        "m-047",
        "不动产登记资料查询",
        "Real estate register inquiry",
        ["不动产登记资料查询申请书", "查询人身份证", "利害关系证明材料"],
        0,
        0,
        0,
      ],
      [
        "m-048",
        "不动产继承转移登记",
        "Real estate transfer by inheritance",
        ["不动产登记申请书", "继承人身份证", "被继承人死亡证明", "亲属关系证明", "继承权公证书或继承人共同协议", "不动产权证书"],
        30,
        5,
        80,
      ],
      [
        "m-049",
        "预告登记",
        "Advance notice registration",
        ["不动产登记申请书", "申请人身份证", "商品房预售合同", "合同备案证明"],
        30,
        1,
        0,
      ],
    ],
  },
  {
    departmentId: "d-natres",
    queueId: "q-b",
    rows: [
      [
        "m-050",
        "建设项目用地预审与选址意见书",
        "Land pre-examination and site selection opinion",
        ["用地预审与选址申请表", "项目建议书或备案文件", "用地勘测定界图", "标注选址位置的图件"],
        20,
        10,
        0,
      ],
      [
        "m-051",
        "乡村建设规划许可证核发",
        "Rural construction planning permit",
        ["乡村建设规划许可申请表", "申请人身份证", "宅基地使用证明", "建设工程设计图"],
        20,
        5,
        0,
      ],
    ],
  },
  {
    departmentId: "d-housing",
    queueId: "q-b",
    rows: [
      [
        "m-052",
        "商品房买卖合同网签备案",
        "Online filing of housing sales contract",
        ["合同备案申请表", "商品房买卖合同", "买受人身份证", "商品房预售许可证"],
        5,
        0,
        0,
      ],
      [
        "m-053",
        "房屋租赁登记备案",
        "Housing lease registration",
        ["房屋租赁登记备案申请表", "房屋租赁合同", "出租人和承租人身份证", "不动产权证书"],
        3,
        0,
        0,
      ],
    ],
  },
  {
    departmentId: "d-tax",
    queueId: "q-c",
    rows: [
      [
        "m-054",
        "增值税发票领用",
        "VAT invoice collection",
        ["经办人身份证", "营业执照副本", "发票专用章印模", "发票领用簿"],
        0,
        0,
        0,
      ],
      [
        "m-055",
        "增值税发票代开",
        "VAT invoice issuing on behalf",
        ["代开发票申请单", "经办人身份证", "购销合同或交易凭证", "付款凭证"],
        0,
        0,
        0,
      ],
      [
        "m-056",
        "新办纳税人涉税事项套餐",
        "New taxpayer registration package",
        ["营业执照副本", "法定代表人身份证", "经办人身份证", "财务负责人信息", "银行开户证明"],
        0,
        0,
        0,
      ],
      [
        "m-057",
        "个人所得税综合所得汇算清缴",
        "Individual income tax annual reconciliation",
        ["身份证", "收入及已缴税额证明", "专项附加扣除信息"],
        0,
        0,
        0,
      ],
      [
        "m-058",
        "二手房交易契税申报",
        "Deed tax declaration for resale housing",
        ["契税纳税申报表", "买卖双方身份证", "存量房买卖合同", "不动产权证书"],
        0,
        0,
        0,
      ],
      [
        "m-059",
        "车辆购置税申报",
        "Vehicle purchase tax declaration",
        ["车辆购置税纳税申报表", "车主身份证", "机动车销售统一发票", "车辆合格证"],
        0,
        0,
        0,
      ],
      ["m-060", "清税证明开具", "Tax clearance certificate", ["清税申报表", "经办人身份证", "营业执照副本"], 20, 0, 0],
      [
        "m-061",
        "税收完税证明开具",
        "Tax payment certificate",
        ["开具税收完税证明申请表", "纳税人身份证", "经办人身份证"],
        0,
        0,
        0,
      ],
    ],
  },
  {
    departmentId: "d-hrss",
    queueId: "q-d",
    rows: [
      ["m-062", "社保卡申领", "Social security card application", ["身份证", "近期免冠证件照片", "社会保障卡申领表"], 20, 0, 0],
      [
        "m-063",
        "城乡居民养老保险参保登记",
        "Urban and rural residents' pension insurance enrolment",
        ["身份证", "户口簿", "城乡居民养老保险参保登记表", "社保卡或银行卡"],
        5,
        0,
        0,
      ],
      [
        "m-064",
        "单位职工养老保险参保登记",
        "Employer enrolment in employee pension insurance",
        ["营业执照副本", "法定代表人身份证", "社会保险登记表", "银行开户许可证"],
        5,
        0,
        0,
      ],
      [
        "m-065",
        "失业保险金申领",
        "Unemployment insurance benefit claim",
        ["身份证", "解除或终止劳动合同证明", "失业登记证明", "社保卡或银行卡"],
        10,
        3,
        0,
      ],
      [
        "m-066",
        "职工退休待遇核定",
        "Employee retirement benefit assessment",
        ["身份证", "户口簿", "职工档案", "退休申请表", "近期照片"],
        20,
        10,
        0,
      ],
      [
        "m-067",
        "就业创业证申领",
        "Employment and entrepreneurship certificate",
        ["身份证", "近期照片", "就业创业登记表"],
        5,
        0,
        0,
      ],
      [
        "m-068",
        "养老保险关系转移接续",
        "Pension insurance transfer",
        ["身份证", "参保缴费凭证", "转移接续申请表", "社保卡"],
        45,
        15,
        0,
      ],
      [
        "m-069",
        "工伤认定申请",
        "Work injury recognition",
        ["工伤认定申请表", "劳动关系证明", "医疗诊断证明", "受伤职工身份证", "事故调查证明材料"],
        60,
        30,
        0,
      ],
    ],
  },
  {
    departmentId: "d-medical",
    queueId: "q-d",
    rows: [
      ["m-070", "医保参保登记", "Basic medical insurance enrolment", ["身份证", "户口簿", "参保登记表"], 0, 0, 0],
      [
        "m-071",
        "异地就医备案",
        "Registration for medical treatment elsewhere",
        ["身份证或社保卡", "异地就医备案表", "异地居住证明或转诊证明"],
        0,
        0,
        0,
      ],
      [
        "m-072",
        "门诊慢特病待遇认定",
        "Outpatient chronic and special disease recognition",
        ["门诊慢特病申请表", "身份证或社保卡", "病历资料", "相关检查报告"],
        30,
        10,
        0,
      ],
      [
        "m-073",
        "医疗费用手工报销",
        "Manual reimbursement of medical expenses",
        ["身份证或社保卡", "医疗费用发票", "费用明细清单", "出院记录或病历", "银行卡"],
        30,
        20,
        0,
      ],
    ],
  },
  {
    departmentId: "d-fund",
    queueId: "q-e",
    rows: [
      [
        "m-074",
        "住房公积金提取（购房）",
        "Housing fund withdrawal (house purchase)",
        ["身份证", "购房合同", "购房发票或完税证明", "本人银行卡", "婚姻状况证明"],
        3,
        0,
        0,
      ],
      [
        "m-075",
        "住房公积金提取（租房）",
        "Housing fund withdrawal (rent)",
        ["身份证", "房屋租赁合同", "租赁备案证明或无房证明", "本人银行卡"],
        3,
        0,
        0,
      ],
      [
        "m-076",
        "住房公积金贷款申请",
        "Housing fund loan application",
        ["借款申请书", "借款人及配偶身份证", "婚姻状况证明", "购房合同", "收入证明", "首付款发票"],
        15,
        5,
        0,
      ],
      [
        "m-077",
        "住房公积金单位缴存登记",
        "Employer housing fund registration",
        ["单位缴存登记表", "营业执照副本", "法定代表人身份证", "经办人授权委托书"],
        3,
        0,
        0,
      ],
      [
        "m-078",
        "住房公积金贷款提前还款",
        "Early repayment of housing fund loan",
        ["提前还款申请表", "借款人身份证", "借款合同", "还款银行卡"],
        3,
        0,
        0,
      ],
      ["m-079", "离退休提取住房公积金", "Housing fund withdrawal on retirement", ["身份证", "退休证明", "本人银行卡"], 3, 0, 0],
    ],
  },
  {
    departmentId: "d-hukou",
    queueId: "q-f",
    rows: [
      ["m-080", "居民身份证换领", "Resident ID card renewal", ["原居民身份证", "户口簿", "数码相片回执"], 60, 15, 20],
      [
        "m-081",
        "居民身份证首次申领",
        "First resident ID card application",
        ["户口簿", "出生医学证明", "数码相片回执", "监护人身份证"],
        60,
        15,
        20,
      ],
      ["m-082", "居民身份证补领", "Resident ID card replacement", ["户口簿", "数码相片回执", "身份证遗失声明"], 60, 15, 40],
      ["m-083", "临时居民身份证申领", "Temporary resident ID card", ["户口簿", "近期照片", "临时身份证申领登记表"], 3, 1, 10],
      ["m-084", "出生登记", "Birth registration", ["出生医学证明", "父母双方身份证", "户口簿", "结婚证"], 0, 0, 0],
      [
        "m-085",
        "户口迁入",
        "Household registration transfer in",
        ["户口迁移申请表", "申请人身份证", "户口簿", "房产证明或就业证明"],
        20,
        5,
        0,
      ],
      [
        "m-086",
        "居住证申领",
        "Residence permit application",
        ["居住证申领登记表", "身份证", "居住地住址证明", "近期照片"],
        15,
        5,
        0,
      ],
    ],
  },
  {
    departmentId: "d-exit",
    queueId: "q-g",
    rows: [
      [
        "m-087",
        "出入境证件申领（普通护照）",
        "Exit-entry document application (passport)",
        ["居民身份证", "出入境证件申请表", "数码相片回执"],
        7,
        7,
        120,
      ],
      [
        "m-088",
        "往来港澳通行证申领",
        "Mainland Travel Permit for Hong Kong and Macao",
        ["居民身份证", "出入境证件申请表", "数码相片回执"],
        7,
        7,
        60,
      ],
      [
        "m-089",
        "往来台湾通行证申领",
        "Mainland Travel Permit for Taiwan",
        ["居民身份证", "出入境证件申请表", "数码相片回执"],
        10,
        7,
        60,
      ],
      ["m-090", "港澳签注办理", "Endorsement for Hong Kong and Macao", ["往来港澳通行证", "居民身份证", "签注申请表"], 7, 0, 15],
    ],
  },
  {
    departmentId: "d-vehicle",
    queueId: "q-h",
    rows: [
      [
        "m-091",
        "机动车注册登记",
        "Motor vehicle registration",
        ["机动车注册登记申请表", "车主身份证", "购车发票", "车辆合格证", "交强险保单", "车辆购置税完税证明"],
        2,
        0,
        100,
      ],
      [
        "m-092",
        "机动车驾驶证换证",
        "Driving licence renewal",
        ["机动车驾驶证", "身份证", "驾驶人身体条件证明", "数码相片回执"],
        1,
        0,
        10,
      ],
      [
        "m-093",
        "机动车转移登记",
        "Motor vehicle transfer registration",
        ["机动车转移登记申请表", "买卖双方身份证", "机动车登记证书", "二手车交易发票", "机动车行驶证"],
        1,
        0,
        10,
      ],
      ["m-094", "补领机动车行驶证", "Vehicle licence replacement", ["补领申请表", "车主身份证", "机动车登记证书"], 1, 0, 10],
    ],
  },
  {
    departmentId: "d-trade",
    queueId: "q-j",
    rows: [
      [
        "m-095",
        "建设工程招标项目进场交易登记",
        "Construction tender project registration",
        ["进场交易登记表", "招标公告", "招标文件", "项目审批或备案文件", "招标人营业执照副本"],
        3,
        1,
        0,
      ],
      [
        "m-096",
        "政府采购项目进场登记",
        "Government procurement project registration",
        ["政府采购项目登记表", "采购文件", "采购预算批复", "委托代理协议"],
        3,
        1,
        0,
      ],
      [
        "m-097",
        "投标保证金退还",
        "Bid bond refund",
        ["保证金退还申请", "投标保证金缴纳凭证", "中标通知书或未中标证明", "开户许可证"],
        5,
        3,
        0,
      ],
      [
        "m-098",
        "市场主体信息库入库登记",
        "Bidder information database registration",
        ["入库登记表", "营业执照副本", "法定代表人身份证", "资质证书", "CA数字证书"],
        3,
        1,
        0,
      ],
      [
        "m-099",
        "国有建设用地使用权挂牌出让竞买报名",
        "Bidding registration for state land use rights",
        ["竞买申请书", "营业执照副本", "法定代表人身份证", "竞买保证金缴纳凭证"],
        0,
        0,
        0,
      ],
    ],
  },
  {
    departmentId: "d-hall",
    queueId: "q-k",
    rows: [
      // First of the help-desk series: the kiosk's "找帮办" button takes this one, for
      // visitors who do not know which matter they need (首问负责制: the helper finds out).
      [
        "m-108",
        "帮办代办综合服务",
        "Help desk: advice, form filling and agency",
        ["本人身份证", "已有的相关证件材料", "委托书（代他人办理时）"],
        0,
        0,
        0,
      ],
      [
        "m-100",
        "企业开办帮办代办",
        "Help and agency for starting a business",
        ["代办委托书", "委托人身份证", "经办人身份证", "企业开办申请材料"],
        0,
        0,
        0,
      ],
      [
        "m-101",
        "工程建设项目全程帮办代办",
        "Full help and agency for construction projects",
        ["代办委托书", "项目备案文件", "营业执照副本", "委托人身份证"],
        0,
        0,
        0,
      ],
    ],
  },
  {
    departmentId: "d-hall",
    queueId: "q-l",
    rows: [
      [
        "m-102",
        "证照统一领取",
        "Collection of certificates and licences",
        ["受理回执", "领取人身份证", "委托领取授权书（代领时）"],
        0,
        0,
        0,
      ],
    ],
  },
  {
    departmentId: "d-post",
    queueId: "q-l",
    rows: [
      [
        "m-103",
        "证照免费邮寄",
        "Free postal delivery of certificates",
        ["寄递申请单", "受理回执", "收件人身份证", "收件地址及联系电话"],
        0,
        0,
        0,
      ],
    ],
  },
  {
    departmentId: "d-power",
    queueId: "q-m",
    rows: [
      [
        "m-104",
        "低压居民用电新装",
        "New low-voltage residential power connection",
        ["用电申请表", "用户身份证", "房屋产权证明", "用电地址及联系电话"],
        5,
        3,
        0,
      ],
      [
        "m-105",
        "用电过户",
        "Power account transfer",
        ["过户申请表", "新户主身份证", "不动产权证书", "原户主电费结清证明"],
        3,
        1,
        0,
      ],
    ],
  },
  {
    departmentId: "d-water",
    queueId: "q-m",
    rows: [
      [
        "m-106",
        "用水报装",
        "New water supply connection",
        ["用水申请表", "用户身份证", "房屋产权证明", "用水设施平面图"],
        10,
        5,
        0,
      ],
      [
        "m-107",
        "水表过户",
        "Water account transfer",
        ["过户申请表", "新户主身份证", "不动产权证书", "原户主水费结清证明"],
        3,
        0,
        0,
      ],
    ],
  },
];

/**
 * English material lists for the matters foreign visitors come for most (company set-up,
 * resale housing, ID cards, social security); item by item with the Chinese list. The
 * phone page shows them on English tickets; other matters fall back to the Chinese list.
 */
const MATERIALS_EN: Record<string, string[]> = {
  "m-001": [
    "Company registration (filing) application",
    "Articles of association",
    "Shareholders' proof of legal status",
    "Legal representative's ID card",
    "Proof of the right to use the premises",
  ],
  "m-004": ["Sole proprietorship registration application", "Operator's ID card", "Proof of the right to use the premises"],
  "m-042": [
    "Real estate registration application",
    "ID cards of buyer and seller",
    "Real estate title certificate",
    "Resale purchase contract",
    "Tax payment receipts",
  ],
  "m-062": ["ID card", "Recent bareheaded ID photo", "Social security card application form"],
  "m-070": ["ID card", "Household register (hukou booklet)", "Enrolment form"],
  "m-080": ["Old resident ID card", "Household register (hukou booklet)", "Digital photo receipt"],
};

/** Matters whose certificate its applicant prints at a self-service terminal (营业执照自助打印). */
const SELF_PRINT = new Set(["m-001"]);

function matters(): Matter[] {
  return MATTER_GROUPS.flatMap(({ departmentId, queueId, rows }) =>
    rows.map(([id, name, nameEn, materials, legalDays, promisedDays, feeYuan]) => ({
      id,
      name,
      nameEn,
      departmentId,
      queueId,
      materials: [...materials],
      ...(MATERIALS_EN[id] ? { materialsEn: [...(MATERIALS_EN[id] as string[])] } : {}),
      // Materials are listed by importance: with three or more, the last may follow later (容缺受理).
      ...(materials.length >= 3 ? { materialsEssential: materials.map((_, i) => i < materials.length - 1) } : {}),
      legalDays,
      promisedDays,
      feeYuan,
      ...(SELF_PRINT.has(id) ? { selfPrint: true } : {}),
    })),
  );
}

type Weights = Record<PriorityClass, number>;
const BALANCED: Weights = { green: 1, appointment: 1, normal: 2 };
/** Help desks mostly serve booked visitors and the elderly. */
const HELP: Weights = { green: 2, appointment: 2, normal: 1 };
/** Collecting a certificate is quick; no appointments are taken for it. */
const CERTIFICATE: Weights = { green: 1, appointment: 0, normal: 3 };

function counters(allQueueIds: string[]): Counter[] {
  const out: Counter[] = [];
  const add = (
    count: number,
    label: string,
    labelEn: string,
    zoneId: string,
    kind: CounterKind,
    queueIds: string[],
    weights: Weights,
  ): void => {
    for (let i = 0; i < count; i++) {
      const number = out.length + 1;
      out.push({
        id: `c${String(number).padStart(2, "0")}`,
        number,
        name: `${number}号窗口 ${label}`,
        nameEn: `Window ${number} ${labelEn}`,
        zoneId,
        kind,
        profile: { queueIds: [...queueIds], weights: { ...weights } },
      });
    }
  };
  // 全科通办: one window takes every series of the hall (一窗受理、全科通办).
  add(2, "全科通办", "All-Service Acceptance", "z1", "comprehensive", allQueueIds, BALANCED);
  add(6, "综合受理", "One-Window Acceptance", "z1", "comprehensive", ["q-a"], BALANCED);
  add(2, "企业开办", "Business Start-up", "z1", "standard", ["q-a"], { green: 1, appointment: 2, normal: 2 });
  add(1, "不动产综合受理", "Real Estate Acceptance", "z2", "comprehensive", ["q-b"], BALANCED);
  add(4, "不动产登记", "Real Estate Registration", "z2", "standard", ["q-b"], BALANCED);
  // 一链办理: a transfer registration and its deed tax at the same window.
  add(1, "不动产交易缴税", "Real Estate Transfer & Tax", "z2", "standard", ["q-b", "q-c"], BALANCED);
  add(5, "纳税服务", "Tax Service", "z3", "standard", ["q-c"], BALANCED);
  add(4, "社保医保", "Social & Medical Insurance", "z4", "standard", ["q-d"], BALANCED);
  add(3, "住房公积金", "Housing Provident Fund", "z4", "standard", ["q-e"], BALANCED);
  add(1, "社保公积金综合", "Insurance & Fund Acceptance", "z4", "comprehensive", ["q-d", "q-e"], BALANCED);
  add(3, "户政", "Household Registration", "z5", "standard", ["q-f"], BALANCED);
  add(2, "出入境", "Exit and Entry", "z5", "standard", ["q-g"], BALANCED);
  add(2, "车管", "Vehicle Administration", "z5", "standard", ["q-h"], BALANCED);
  add(2, "公共资源交易", "Public Resource Trading", "z6", "standard", ["q-j"], { green: 0, appointment: 1, normal: 1 });
  add(3, "帮办代办", "Help & Agency Desk", "z7", "help", ["q-k"], HELP);
  add(3, "统一出证", "Certificate Issuing", "z7", "certificate", ["q-l"], CERTIFICATE);
  add(1, "水电气便民服务", "Utilities Service", "z7", "standard", ["q-m"], BALANCED);
  return out;
}

/** The demo catalogue, modeled on 平原县市民服务中心. */
export function demoCatalogue(): Catalogue {
  const qs = queues();
  return {
    hall: {
      id: "pingyuan",
      name: "平原县市民服务中心",
      nameEn: "Pingyuan County Citizen Service Center",
      address: "山东省德州市平原县",
      timeZone: "Asia/Shanghai",
      noShowReactivateMin: 30,
      adminCode: "371426",
      publicUrl: "",
      notice: "一次办好：一窗受理、全科通办。证照可免费邮寄到家，帮办代办窗口提供免费代办服务。",
      noticeEn:
        "Get it done in one visit: any window accepts any matter. Certificates can be mailed home for free; the help desks offer free agency service.",
    },
    zones: zones(),
    departments: departments(),
    matters: matters(),
    queues: qs,
    counters: counters(qs.map((q) => q.id)),
    synonyms: demoSynonyms(),
    // 审批事项下沉: township and community front desks accept cases for the county back office.
    sites: [
      { id: "pingyuan", name: "平原县市民服务中心", nameEn: "Pingyuan County Citizen Service Center", kind: "hall" },
      { id: "t-taoyuan", name: "桃园街道便民服务中心", nameEn: "Taoyuan Subdistrict Service Center", kind: "township" },
      { id: "t-wangfengdian", name: "王凤店镇便民服务中心", nameEn: "Wangfengdian Town Service Center", kind: "township" },
      { id: "c-longmen", name: "龙门社区便民服务站", nameEn: "Longmen Community Service Point", kind: "community" },
    ],
  };
}

/** Demo accounts: one supervisor and a clerk at some of the counters. */
export function demoStaff(): DemoStaff[] {
  const clerk = (username: string, name: string, counterId: string): DemoStaff => ({
    username,
    name,
    role: "clerk",
    counterId,
  });
  return [
    { username: "wangli", name: "王丽", role: "supervisor" },
    clerk("zhangwei", "张伟", "c01"),
    clerk("lina", "李娜", "c02"),
    clerk("liuyang", "刘洋", "c03"),
    clerk("chenjing", "陈静", "c04"),
    clerk("yangfan", "杨帆", "c11"),
    clerk("zhaomin", "赵敏", "c12"),
    clerk("huanglei", "黄磊", "c17"),
    clerk("zhouting", "周婷", "c22"),
    clerk("wuhao", "吴昊", "c26"),
    clerk("xuli", "徐丽", "c30"),
    clerk("sunqiang", "孙强", "c33"),
    clerk("maxiaoyan", "马晓燕", "c40"),
    clerk("zhuhong", "朱红", "c43"),
    // Back offices (审批): each acts on its department's cases.
    { username: "gaojie", name: "高洁", role: "approver", departmentId: "d-market" },
    { username: "hesong", name: "何松", role: "approver", departmentId: "d-rec" },
    { username: "luoqing", name: "罗青", role: "approver", departmentId: "d-social" },
  ];
}

/** Simulated devices: 4 kiosks (printer, ID reader, scanner), terminal t1 (ID reader, scanner, A4 printer, receipt printer), LED, keypad, rating per counter, a receipt printer at each acceptance (comprehensive, help) counter, and an ID reader, scanner and label printer at each 统一出证 window. */
export function demoDevices(cat: Catalogue): DeviceConfig[] {
  const out: DeviceConfig[] = [];
  for (let k = 1; k <= 4; k++) {
    const kioskId = `k${k}`;
    const assignment = { kind: "kiosk", kioskId } as const;
    out.push(
      {
        id: `printer-${kioskId}`,
        kind: "printer",
        name: `${k}号自助取号机 热敏打印机`,
        transport: { type: "sim" },
        assignment: { ...assignment },
        options: { paperWidthMm: 80 },
      },
      {
        id: `idreader-${kioskId}`,
        kind: "idreader",
        name: `${k}号自助取号机 身份证阅读器`,
        transport: { type: "sim" },
        assignment: { ...assignment },
      },
      {
        id: `scanner-${kioskId}`,
        kind: "scanner",
        name: `${k}号自助取号机 扫码器`,
        transport: { type: "sim" },
        assignment: { ...assignment },
      },
    );
  }
  // Self-service terminal t1 (issue 12): its ID card reader, scanner, A4 printer (IPP) and bank-card POS.
  const terminal = { kind: "terminal", terminalId: "t1" } as const;
  out.push(
    {
      id: "idreader-t1",
      kind: "idreader",
      name: "1号自助终端 身份证阅读器",
      transport: { type: "sim" },
      assignment: { ...terminal },
    },
    { id: "scanner-t1", kind: "scanner", name: "1号自助终端 扫码器", transport: { type: "sim" }, assignment: { ...terminal } },
    { id: "a4-t1", kind: "a4", name: "1号自助终端 A4 打印机", transport: { type: "sim" }, assignment: { ...terminal } },
    { id: "pos-t1", kind: "pos", name: "1号自助终端 银行卡 POS 机", transport: { type: "sim" }, assignment: { ...terminal } },
    // Its receipt printer: the 缴费凭证 of each payment (payments/, issue 12).
    {
      id: "printer-t1",
      kind: "printer",
      name: "1号自助终端 凭条打印机",
      transport: { type: "sim" },
      assignment: { ...terminal },
      options: { paperWidthMm: 80 },
    },
  );
  const perCounter = [
    ["led", "LED 窗口屏"],
    ["keypad", "呼叫器"],
    ["rating", "评价器"],
  ] as const;
  for (const c of cat.counters) {
    // Acceptance counters print the 受理回执 / 一次性告知书 of the cases they accept.
    if (c.kind === "comprehensive" || c.kind === "help")
      out.push({
        id: `printer-${c.id}`,
        kind: "printer",
        name: `${c.number}号窗口 回执打印机`,
        transport: { type: "sim" },
        assignment: { kind: "counter", counterId: c.id, address: c.number },
        options: { paperWidthMm: 80 },
      });
    // 统一出证 windows find certificates by the receipt's QR or the ID card, and print shipping labels (issue 11).
    if (c.kind === "certificate")
      for (const [kind, label] of [
        ["idreader", "身份证阅读器"],
        ["scanner", "扫码器"],
        ["label", "面单打印机"],
      ] as const)
        out.push({
          id: `${kind}-${c.id}`,
          kind,
          name: `${c.number}号窗口 ${label}`,
          transport: { type: "sim" },
          assignment: { kind: "counter", counterId: c.id, address: c.number },
        });
    for (const [kind, label] of perCounter) {
      out.push({
        id: `${kind}-${c.id}`,
        kind,
        name: `${c.number}号窗口 ${label}`,
        transport: { type: "sim" },
        // A window's devices share one bus address: its number, which installers can read off the window.
        assignment: { kind: "counter", counterId: c.id, address: c.number },
        options: { address: c.number },
      });
    }
  }
  return out;
}
