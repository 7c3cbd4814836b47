import { gatewayCodeNumber, isGatewayCode } from '../../src/secmaster/gatewayCodes';

describe('API Gateway codes, by number whatever the prefix', () => {
  it.each([
    ['APIGW.0301', '0301'],
    ['APIG.0301', '0301'],
    ['APIGW.0308', '0308'],
    ['APIG.0101', '0101'],
  ])('%s is gateway code %s', (code, number) => {
    expect(gatewayCodeNumber(code)).toBe(number);
    expect(isGatewayCode(code, number)).toBe(true);
  });

  it.each([undefined, '', 'APIGW.', 'APIGW.301', 'APIGW.03011', 'apigw.0301', 'APIGX.0301', 'SecMaster.0301', ' APIGW.0301', 'APIGW.0301 '])('%j is no gateway code', (code) => {
    expect(gatewayCodeNumber(code)).toBeUndefined();
    expect(isGatewayCode(code, '0301')).toBe(false);
  });

  it('a different number does not match', () => {
    expect(isGatewayCode('APIGW.0302', '0301')).toBe(false);
  });
});
