import { describe, expect, it } from "vitest";
import { addressProblem, maskStreet, phoneProblem } from "../../../server/src/delivery/address.ts";
import { caseNoFromCode } from "../../../server/src/delivery/service.ts";

const ok = { province: "山东省", city: "德州市", county: "平原县", street: "龙门街道中心路12号" };

describe("delivery/address", () => {
  it("accepts real addresses: a province, a municipality, an autonomous region and prefecture", () => {
    expect(addressProblem(ok)).toBeUndefined();
    expect(addressProblem({ province: "北京市", city: "北京市", county: "海淀区", street: "中关村大街1号" })).toBeUndefined();
    expect(
      addressProblem({ province: "内蒙古自治区", city: "锡林郭勒盟", county: "正蓝旗", street: "上都镇某路8号" }),
    ).toBeUndefined();
    expect(
      addressProblem({ province: "四川省", city: "凉山彝族自治州", county: "西昌市", street: "长安街道1号" }),
    ).toBeUndefined();
  });

  it("names the field that is wrong", () => {
    expect(addressProblem({ ...ok, province: "山东" })).toMatch(/^address\.province/);
    expect(addressProblem({ ...ok, city: "德州" })).toMatch(/^address\.city/);
    expect(addressProblem({ ...ok, county: "平原" })).toMatch(/^address\.county/);
    expect(addressProblem({ ...ok, street: "1号" })).toMatch(/^address\.street/);
    expect(addressProblem({ ...ok, street: "龙门街道\n中心路12号" })).toMatch(/^address\.street/);
    expect(addressProblem({ ...ok, street: "长".repeat(81) })).toMatch(/^address\.street/);
  });

  it("phones: a mobile or a landline with its area code", () => {
    expect(phoneProblem("139 1234 5678")).toBeUndefined();
    expect(phoneProblem("0534-1234567")).toBeUndefined();
    expect(phoneProblem("12345")).toMatch(/^phone/);
    expect(phoneProblem("23912345678")).toMatch(/^phone/);
  });

  it("masks the street after its first characters, never showing the number", () => {
    expect(maskStreet("龙门街道中心路12号")).toBe("龙门街*******");
    expect(maskStreet("中心路12号")).not.toContain("12");
  });

  it("reads the case number from a receipt's QR, or the number itself", () => {
    expect(caseNoFromCode("http://hall.example/q/371426-20261203-00007")).toBe("371426-20261203-00007");
    expect(caseNoFromCode("371426-20261203-00007")).toBe("371426-20261203-00007");
    expect(caseNoFromCode("https://x/q/371426-20261203-00007?utm=1")).toBe("371426-20261203-00007");
    expect(caseNoFromCode("A023")).toBeUndefined();
  });
});
